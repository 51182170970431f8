/** `ssh-keys reset`: forgets a machine's pinned host key, so the next contact pins the new one. */
import { GuixOpsError } from '@guix-ops/plugin-api'
import { ErrorCode } from '../codes.js'
import type { EngineContext } from './context.js'
import { withDeployment } from './with-lock.js'

export async function resetHostKey(
  ctx: EngineContext,
  options: { deployment: string | undefined; machine: string },
): Promise<{ machine: string; previous?: string }> {
  return withDeployment(ctx, options.deployment, async (current) => {
    const machine = current.machines[options.machine]
    if (!machine) {
      throw new GuixOpsError(ErrorCode.Usage, `deployment "${current.name}" has no machine "${options.machine}"`, {
        suggestion: `machines: ${Object.keys(current.machines).join(', ')}`,
      })
    }
    const { hostKey: previous, ...rest } = machine
    await ctx.store.write({
      ...current,
      updatedAt: new Date().toISOString(),
      machines: { ...current.machines, [options.machine]: rest },
    })
    return { machine: options.machine, ...(previous ? { previous } : {}) }
  })
}
