/** The GuixOpsError a call throws or a promise rejects with; fails the test otherwise. */
import { type GuixOpsError, isGuixOpsError } from '@guix-ops/plugin-api'

export async function caught(work: Promise<unknown> | (() => unknown)): Promise<GuixOpsError> {
  try {
    await (typeof work === 'function' ? work() : work)
  } catch (error) {
    if (isGuixOpsError(error)) return error
    throw error
  }
  throw new Error('expected a GuixOpsError, but nothing was thrown')
}
