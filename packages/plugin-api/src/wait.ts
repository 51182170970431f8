/**
 * Waiting for something outside the process (a machine booting, a socket
 * appearing, a process exiting): one poll loop for core and plugins alike.
 */
import { setTimeout as delay } from 'node:timers/promises'

export interface WaitOptions {
  /** How long to keep checking, in ms; `Infinity` to wait until done or aborted. */
  timeout: number
  /** Pause between two checks, in ms. */
  interval: number
  /** Ends the wait early: the pause in progress rejects with the signal's reason. */
  signal?: AbortSignal | undefined
}

/** What a check answers: a value when done; `undefined` or `false` to be asked again. */
export type WaitCheck<T> = () => T | undefined | false | Promise<T | undefined | false>

/** Sleeps `ms`; aborting rejects at once with the signal's own reason, not a generic AbortError. */
export async function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  try {
    await delay(ms, undefined, signal ? { signal } : {})
  } catch (error) {
    throw signal?.aborted ? signal.reason : error
  }
}

/**
 * Calls `check` at once, then every `interval` ms, until it returns a value
 * (which this resolves to) or `timeout` ms have passed (then it resolves to
 * `undefined`, leaving the caller to say in its own words what did not
 * happen). An error thrown by `check` ends the wait with that error.
 */
export async function waitUntil<T>(check: WaitCheck<T>, options: WaitOptions): Promise<T | undefined> {
  const started = performance.now()
  for (;;) {
    const answer = await check()
    if (answer !== undefined && answer !== false) return answer
    if (performance.now() - started >= options.timeout) return undefined
    await pause(options.interval, options.signal)
  }
}
