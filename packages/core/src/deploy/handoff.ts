/**
 * A platform that had to log in to provide a machine (the managed platform
 * on first contact, reading the host's facts) hands its connection to the
 * deploy that connects next, instead of closing it: a cold deploy then logs
 * in once. The deploy still holds that connection to its own rules: it is
 * reused only when it reached the same host, as the same user, verified
 * against the key the deploy would verify (connect.ts).
 */
import type { SshSession } from '../ssh/index.js'

/** Plugin contexts (one per machine in a deploy) whose deploy will take a connection. */
const awaiting = new WeakSet<object>()
const kept = new WeakMap<object, SshSession>()

/** The deploy of the machine with this context connects after provisioning. */
export function awaitSession(ctx: object): void {
  awaiting.add(ctx)
}

/** Keeps `session` for the deploy; false when none awaits it (then the caller closes it). */
export function keepSession(ctx: object, session: SshSession): boolean {
  if (!awaiting.has(ctx)) return false
  kept.get(ctx)?.close()
  kept.set(ctx, session)
  return true
}

/** The session kept for this context, if any; nothing is kept for it afterwards. */
export function takeSession(ctx: object): SshSession | undefined {
  awaiting.delete(ctx)
  const session = kept.get(ctx)
  kept.delete(ctx)
  return session
}
