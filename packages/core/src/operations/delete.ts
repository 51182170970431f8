/** `delete`: forgets a deployment; refuses while it still has machines, unless forced. */
import { GuixOpsError } from '@guix-ops/plugin-api'
import { ErrorCode } from '../codes.js'
import type { DeploymentState } from '../state/index.js'
import type { EngineContext } from './context.js'
import { liveMachines } from './machines-state.js'
import { withDeployment } from './with-lock.js'

export async function deleteDeployment(
  ctx: EngineContext,
  options: { deployment: string | undefined; force?: boolean },
): Promise<DeploymentState> {
  return withDeployment(ctx, options.deployment, async (current) => {
    const live = liveMachines(current.machines)
    if (live.length > 0 && !options.force) {
      throw new GuixOpsError(
        ErrorCode.DeploymentLive,
        `deployment "${current.name}" still has ${live.length} machine(s) that exist: ${live.join(', ')}`,
        {
          where: { deployment: current.name },
          suggestion: `run "guix-ops destroy -d ${current.name}" first, or pass --force to forget them (they keep running)`,
        },
      )
    }
    if (live.length > 0) {
      ctx.emit({
        type: 'warning',
        code: 'W_FORGOT_MACHINES',
        message: `forgot ${live.length} machine(s) that still exist: ${live.join(', ')}`,
      })
    }
    await ctx.store.remove(current)
    return current
  })
}
