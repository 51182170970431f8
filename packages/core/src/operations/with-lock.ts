/** Runs `work` while holding a deployment's lock; a stale lock is taken over with a warning. */

import { WarningCode } from '../codes.js'
import type { DeploymentState } from '../state/index.js'
import type { EngineContext } from './context.js'
import { findDeployment } from './lookup.js'

export async function withLock<T>(ctx: EngineContext, name: string, work: () => Promise<T>): Promise<T> {
  const lock = await ctx.store.lock(name, ctx.command, (stale) => {
    ctx.emit({
      type: 'warning',
      code: WarningCode.StaleLock,
      message: `took over the lock of deployment "${name}" left by pid ${stale.pid} (${stale.command}, since ${stale.startedAt}), which is no longer running`,
    })
  })
  try {
    return await work()
  } finally {
    await lock.release()
  }
}

/**
 * Finds a deployment, locks it, and hands `work` the state as read again
 * under the lock: another process may have changed it in between.
 */
export async function withDeployment<T>(
  ctx: EngineContext,
  nameOrId: string | undefined,
  work: (current: DeploymentState) => Promise<T>,
): Promise<T> {
  const found = await findDeployment(ctx, nameOrId)
  return withLock(ctx, found.name, async () => work(await findDeployment(ctx, found.id)))
}
