/** A machine's status from DescribeInstances and whether SSH answers; changes nothing. */
import type { PlatformStatus } from '@guix-ops/plugin-api'
import type { Aws } from './client.js'
import { byId } from './find.js'
import { sshAnswers, sshHost } from './reach.js'
import type { Ec2Resource } from './resource.js'

const BY_STATE: Record<string, PlatformStatus> = {
  pending: 'starting',
  stopping: 'unknown',
  stopped: 'stopped',
  'shutting-down': 'not-created',
  terminated: 'not-created',
}

export async function instanceStatus(aws: Aws, r: Ec2Resource): Promise<PlatformStatus> {
  const i = await byId(aws, r.instanceId)
  // Terminated outside guix-ops long enough ago that EC2 forgot it.
  if (!i) return 'not-created'
  const state = i.State?.Name ?? 'unknown'
  if (state !== 'running') return BY_STATE[state] ?? 'unknown'
  const host = sshHost(i, r.address)
  if (host && (await sshAnswers(host))) return 'up'
  const since = i.LaunchTime ? Date.now() - i.LaunchTime.getTime() : 0
  return since > r.bootTimeout * 1000 ? 'unreachable' : 'starting'
}
