/** Runs `work` while holding a deployment's lock; a stale lock is taken over with a warning. */
import type { EngineContext } from './context.js'

export async function withLock<T>(ctx: EngineContext, name: string, work: () => Promise<T>): Promise<T> {
  const lock = await ctx.store.lock(name, ctx.command, (stale) => {
    ctx.emit({
      type: 'warning',
      code: 'W_STALE_LOCK',
      message: `took over the lock of deployment "${name}" left by pid ${stale.pid} (${stale.command}, since ${stale.startedAt}), which is no longer running`,
    })
  })
  try {
    return await work()
  } finally {
    await lock.release()
  }
}
