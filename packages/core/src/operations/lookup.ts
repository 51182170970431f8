/** Finds a deployment by name or id, with a helpful error when there is none. */
import { GuixOpsError } from '@guix-ops/plugin-api'
import { ErrorCode } from '../codes.js'
import { closest } from '../config/index.js'
import type { DeploymentState } from '../state/index.js'
import type { EngineContext } from './context.js'

export async function findDeployment(ctx: EngineContext, nameOrId: string | undefined): Promise<DeploymentState> {
  if (nameOrId === undefined || nameOrId === '') {
    throw new GuixOpsError(ErrorCode.DeploymentRequired, 'no deployment given', {
      suggestion: 'pass -d NAME (or an id), or set GUIX_OPS_DEPLOYMENT; "guix-ops list" shows them',
    })
  }
  const found = await ctx.store.find(nameOrId)
  if (found) return found
  const { deployments, problems } = await ctx.store.list()
  const names = deployments.map((d) => d.name)
  const guess = closest(nameOrId, names)
  const hints = [
    guess ? `did you mean "${guess}"?` : undefined,
    names.length
      ? `known deployments: ${names.join(', ')}`
      : 'there are no deployments yet; "guix-ops create" makes one',
    problems.length
      ? `${problems.length} state file(s) could not be read: ${problems.map((p) => p.file).join(', ')}`
      : undefined,
  ].filter(Boolean)
  throw new GuixOpsError(
    ErrorCode.DeploymentNotFound,
    `no deployment named or with id "${nameOrId}" in ${ctx.store.dir}`,
    {
      where: { deployment: nameOrId },
      suggestion: hints.join('; '),
    },
  )
}

/** Warns about unreadable state files that a listing skipped. */
export function reportProblems(ctx: EngineContext, problems: { file: string; error: GuixOpsError }[]): void {
  for (const problem of problems) {
    ctx.emit({ type: 'warning', code: problem.error.code, message: problem.error.message, file: problem.file })
  }
}
