/**
 * Confirm: a fresh connection must still work after activation; then the
 * driver disarms the rollback it may have armed on the target.
 */
import type { PlannedChange, RemoteHost, SshEndpoint } from '@guix-ops/plugin-api'
import { deployKeys } from '../../keys/index.js'
import { connectSsh, type SshSession } from '../../ssh/index.js'
import { stepFailed } from '../failure.js'
import type { Applied } from './apply.js'
import { hostTarget } from './connect.js'
import type { MachineRun, ResolvedMachine } from './machine.js'

/**
 * Fires `afterActivate` once the machine is confirmed reachable in its new
 * generation, and its keys meant for after activation are sent (over `host`);
 * returns the changes those keys made.
 */
export async function confirm(
  run: MachineRun,
  { system, ctx, event, keys }: ResolvedMachine,
  host: RemoteHost,
  endpoint: SshEndpoint,
  { generation, previous }: Applied,
): Promise<PlannedChange[]> {
  let session: SshSession
  try {
    session = await connectSsh(hostTarget(run, endpoint), {
      label: { deployment: run.writer.state.name, machine: run.name },
      signal: run.signal,
      readyTimeout: 15_000,
    })
  } catch (error) {
    await run.writer.update(run.name, (m) => ({ ...m!, ...(previous ? { currentGeneration: previous } : {}) }))
    const undo = system.confirm
      ? '; the host restores its previous files by itself once its confirmation timer runs out'
      : ''
    throw stepFailed(system.name, 'confirm after activation', run.name, new Error(`${(error as Error).message}${undo}`))
  }
  try {
    await system.confirm?.({ ...ctx, host: session })
  } finally {
    session.close()
  }
  const late = await deployKeys(run, host, keys, 'post-activation')
  await run.hooks.afterActivate.promise(event, generation)
  return late.changes
}
