/**
 * Waiting for a machine to reach a status, failing fast: a status that
 * cannot lead to the one awaited is an answer, not a reason to keep polling.
 */
import {
  type JsonObject,
  type PlatformDefinition,
  type PlatformStatus,
  type PluginContext,
  waitUntil,
} from '@guix-ops/plugin-api'

const POLL_MS = 500

/** What a machine may report on its way to each status the kit waits for; anything else is wrong. */
const ON_THE_WAY: Record<'up' | 'stopped', readonly PlatformStatus[]> = {
  // Booting; `unknown` while a just-started process does not answer yet.
  up: ['starting', 'unknown'],
  // Shutting down: still up, or no longer reachable, until it is off.
  stopped: ['up', 'starting', 'unreachable', 'unknown'],
}

/** Polls until `wanted`; throws at once on a wrong status, or with the last one seen at the timeout. */
export async function waitForStatus(
  platform: PlatformDefinition,
  ctx: PluginContext,
  resource: JsonObject,
  wanted: 'up' | 'stopped',
  timeoutMs: number,
  after: string,
): Promise<void> {
  const started = Date.now()
  const seconds = () => Math.round((Date.now() - started) / 100) / 10
  let status: PlatformStatus | undefined
  const reached = async () => {
    status = await platform.status(ctx, resource)
    if (status === wanted) return true
    if (!ON_THE_WAY[wanted].includes(status)) {
      throw new Error(
        `platform "${platform.name}": after ${after}, status is "${status}" (after ${seconds()} s), which cannot lead to "${wanted}"`,
      )
    }
    return false
  }
  if (await waitUntil(reached, { timeout: timeoutMs, interval: POLL_MS })) return
  throw new Error(
    `platform "${platform.name}": after ${after}, status is still "${status}" after ${seconds()} s; expected "${wanted}" within ${timeoutMs / 1000} s`,
  )
}
