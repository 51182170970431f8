/** A machine's status from lxc-info and whether its sshd answers; nothing is changed. */
import { type PlatformStatus, sshAnswers } from '@guix-ops/plugin-api'
import { containerState } from './containers.js'
import { managementAddress } from './probe.js'

export async function containerStatus(container: string): Promise<PlatformStatus> {
  const state = await containerState(container)
  if (state === undefined) return 'not-created'
  if (state === 'STOPPED') return 'stopped'
  if (state === 'STARTING') return 'starting'
  if (state !== 'RUNNING') return 'unknown'
  const address = await managementAddress(container)
  if (!address) return 'starting'
  return (await sshAnswers(address)) ? 'up' : 'starting'
}
