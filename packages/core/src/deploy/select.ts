/** Which machines a deploy works on: --include, --exclude and --on @tag. */
import { GuixOpsError } from '@guix-ops/plugin-api'
import { ErrorCode } from '../codes.js'
import type { DeployOptions } from './types.js'

export function selectMachines(
  order: readonly string[],
  tags: Readonly<Record<string, readonly string[]>>,
  options: DeployOptions,
): string[] {
  const unknown = [...(options.include ?? []), ...(options.exclude ?? [])].filter((m) => !order.includes(m))
  if (unknown.length > 0) {
    throw new GuixOpsError(
      ErrorCode.Usage,
      `no machine named ${unknown.map((m) => `"${m}"`).join(', ')} in this deployment`,
      {
        suggestion: `machines: ${order.join(', ')}`,
      },
    )
  }
  const wanted = options.tags?.map((t) => t.replace(/^@/, ''))
  return order.filter(
    (m) =>
      (!options.include?.length || options.include.includes(m)) &&
      !options.exclude?.includes(m) &&
      (!wanted?.length || wanted.some((t) => tags[m]?.includes(t))),
  )
}
