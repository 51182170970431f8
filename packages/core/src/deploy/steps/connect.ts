/** Connect: reach the machine over SSH, verifying its host key, and pin the keys seen on first contact. */
import type { SshEndpoint } from '@guix-ops/plugin-api'
import { connectSsh, endpointTarget, type SshSession, type SshTarget } from '../../ssh/index.js'
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

/** Fires `beforeConnect` and `afterConnect`; the session returned is the caller's to close. */
export async function connect(run: MachineRun, machine: ResolvedMachine, endpoint: SshEndpoint): Promise<SshSession> {
  const { name, writer } = run
  announce(run, 'connect', `connecting to ${endpoint.user}@${endpoint.host}:${endpoint.port}`)
  await run.hooks.beforeConnect.promise(machine.event)
  let session: SshSession
  try {
    session = await connectSsh(hostTarget(run, endpoint), {
      label: { deployment: writer.state.name, machine: name },
      signal: run.signal,
    })
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
