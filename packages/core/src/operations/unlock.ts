/** `unlock`: removes a deployment's lock by hand, after its holder died elsewhere. */
import { GuixOpsError } from '@guix-ops/plugin-api'
import { ErrorCode } from '../codes.js'
import type { LockInfo } from '../state/index.js'
import type { EngineContext } from './context.js'

export async function unlockDeployment(
  ctx: EngineContext,
  nameOrId: string | undefined,
): Promise<{ name: string; lock: LockInfo }> {
  if (!nameOrId) {
    throw new GuixOpsError(ErrorCode.DeploymentRequired, 'no deployment given', {
      suggestion: 'pass -d NAME (or an id), or set GUIX_OPS_DEPLOYMENT',
    })
  }
  // A lock may outlive its deployment (a create that died), so a plain name is accepted too.
  const state = await ctx.store.find(nameOrId).catch(() => undefined)
  const name = state?.name ?? nameOrId
  const lock = await ctx.store.unlock(name)
  if (lock === undefined) {
    throw new GuixOpsError(ErrorCode.NotLocked, `deployment "${name}" is not locked`, { where: { deployment: name } })
  }
  return { name, lock }
}
