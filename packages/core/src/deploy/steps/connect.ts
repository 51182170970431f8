/** Connect: reach the machine over SSH, verifying its host key, and pin the keys seen on first contact. */
import type { SshEndpoint } from '@guix-ops/plugin-api'
import { connectSsh, endpointTarget, type SshSession, type SshTarget, sameHostKey } from '../../ssh/index.js'
import { stepFailed } from '../failure.js'
import type { StateWriter } from '../state-writer.js'
import { announce, type MachineRun, type ResolvedMachine } from './machine.js'

/** Where to connect: pinned keys win over what the platform says; a machine behind a jump host is only reached through it. */
export function hostTarget(run: MachineRun, endpoint: SshEndpoint): SshTarget {
  return endpointTarget(
    endpoint,
    run.writer.machine(run.name)?.hostKey ?? endpoint.hostKey,
    run.writer.machine(run.name)?.jumpHostKey ?? endpoint.jump?.hostKey,
  )
}

/** Whether two targets are the same login on the same host (through the same jump host). */
function sameLogin(a: SshTarget | undefined, b: SshTarget | undefined): boolean {
  if (!a || !b) return a === b
  return (
    a.host === b.host &&
    a.port === b.port &&
    a.user === b.user &&
    a.identity === b.identity &&
    a.sudo === b.sudo &&
    sameLogin(a.jump, b.jump)
  )
}

/**
 * A connection handed on by the platform serves the deploy only when it is
 * the login the deploy would make, and the keys it was verified against are
 * the ones the deploy would require: pinning stays exactly as strict.
 */
function reusable(session: SshSession, target: SshTarget): boolean {
  const keyHolds = (pinned: string | undefined, seen: string | undefined) =>
    pinned === undefined || (seen !== undefined && sameHostKey(pinned, seen))
  return (
    sameLogin(session.target, target) &&
    keyHolds(target.hostKey, session.hostKey) &&
    keyHolds(target.jump?.hostKey, session.jumpHostKey)
  )
}

/**
 * Fires `beforeConnect` and `afterConnect`; the session returned is the
 * caller's to close. `handed` is a connection the platform made to provide
 * the machine: used when it is the same login, else closed.
 */
export async function connect(
  run: MachineRun,
  machine: ResolvedMachine,
  endpoint: SshEndpoint,
  handed?: SshSession,
): Promise<SshSession> {
  const { name, writer } = run
  announce(run, 'connect', `connecting to ${endpoint.user}@${endpoint.host}:${endpoint.port}`)
  const target = hostTarget(run, endpoint)
  const reuse = handed !== undefined && reusable(handed, target)
  if (handed && !reuse) handed.close()
  await run.hooks.beforeConnect.promise(machine.event).catch((error: unknown) => {
    if (reuse) handed.close()
    throw error
  })
  let session: SshSession
  try {
    session = reuse
      ? handed
      : await connectSsh(target, { label: { deployment: writer.state.name, machine: name }, signal: run.signal })
  } catch (error) {
    throw stepFailed('ssh', 'connect', name, error)
  }
  try {
    // The keys seen on first contact (or the ones the platform vouched for) are pinned in state.
    if (!run.dryRun) await pinHostKeys(writer, name, session)
    await run.hooks.afterConnect.promise(machine.event)
  } catch (error) {
    session.close()
    throw error
  }
  return session
}

/** Records the keys a session was verified against, where none was pinned yet. */
async function pinHostKeys(writer: StateWriter, name: string, session: SshSession): Promise<void> {
  const pinned = writer.machine(name)
  const hostKey = pinned?.hostKey ? {} : { hostKey: session.hostKey }
  const jumpHostKey = pinned?.jumpHostKey || !session.jumpHostKey ? {} : { jumpHostKey: session.jumpHostKey }
  if (Object.keys({ ...hostKey, ...jumpHostKey }).length === 0) return
  await writer.update(name, (m) => ({ ...m!, ...hostKey, ...jumpHostKey }))
}
