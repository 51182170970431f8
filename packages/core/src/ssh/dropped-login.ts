/**
 * A login that sshd dropped before it said which SSH it speaks. OpenSSH does
 * that to a new connection past its MaxStartups (sshd_config(5); default
 * 10:30:100, at random once 10 logins are under way), and logins guix-ops
 * does not see (other clients', or its own that sshd has not yet counted as
 * done) can fill that room however few it opens at once (login-slots.ts).
 * Nothing reached the host, so the login is tried again after a pause that
 * doubles each time, a few times, before the deploy is told.
 */
import { pause } from '@guix-ops/plugin-api'
import { connectFailed, type HostRole } from './errors.js'
import type { SshOptions, SshTarget } from './target.js'

const LOGIN_TRIES = 5
const FIRST_PAUSE_MS = 250

const dropped = new WeakSet<object>()

/**
 * Whether ssh2's `error`, on a connection whose host key was not yet
 * presented, is sshd hanging up: ssh2's error for a close before the
 * server's version line (it has no code of its own), or a reset (sshd closed
 * with ssh2's own version line unread).
 */
export function isDropBeforeHandshake(error: unknown): boolean {
  if (!(error instanceof Error)) return false
  const { level, code } = error as { level?: unknown; code?: unknown }
  if (level === 'protocol') return error.message === 'Connection lost before handshake'
  return level === 'client-socket' && (code === 'ECONNRESET' || code === 'EPIPE')
}

/** Marks `error` (the one a login rejects with) as a drop that may be tried again. */
export function markDropped<E extends object>(error: E): E {
  dropped.add(error)
  return error
}

/** Runs `login` until it does anything but get dropped, at most LOGIN_TRIES times. */
export async function retryDropped<T>(
  target: SshTarget,
  options: SshOptions,
  role: HostRole,
  login: () => Promise<T>,
): Promise<T> {
  const started = Date.now()
  for (let tried = 1; ; tried++) {
    try {
      return await login()
    } catch (error) {
      if (!dropped.has(error as object)) throw error
      if (tried === LOGIN_TRIES) {
        const seconds = ((Date.now() - started) / 1000).toFixed(1)
        const last = (error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : ''
        const why = new Error(
          `${last}, ${tried} times in ${seconds} s: sshd dropped the login before the SSH handshake each time; it may be refusing new logins past its MaxStartups (too many under way, from other clients or this deploy)`,
          { cause: error },
        )
        throw connectFailed(target, options, why, role)
      }
      const ms = FIRST_PAUSE_MS * 2 ** (tried - 1) * (0.5 + Math.random())
      // A cancel while pausing fails the login as a cancel during it does (open()).
      await pause(ms, options.signal).catch(() => {
        throw connectFailed(target, options, new Error('aborted'), role)
      })
    }
  }
}
