/** A machine's status from what can be seen without changing anything: files, the process, QMP, SSH. */
import { access, stat } from 'node:fs/promises'
import { type PlatformStatus, sshAnswers } from '@guix-ops/plugin-api'
import type { QemuResource } from './resource.js'
import { running } from './vm/power.js'
import { queryStatus } from './vm/qmp.js'

export async function vmStatus(r: QemuResource, bootTimeoutMs: number): Promise<PlatformStatus> {
  try {
    await access(r.disk)
  } catch {
    return 'not-created'
  }
  if (!(await running(r))) return 'stopped'
  const state = await queryStatus(r.qmpSocket).catch(() => undefined)
  if (state === undefined) return 'unknown'
  if (state === 'shutdown') return 'stopped'
  if (state !== 'running') return 'unknown'
  if (await sshAnswers('127.0.0.1', r.sshPort)) return 'up'
  // Booting for longer than a boot may take: something in the guest is wrong.
  const started = await stat(r.pidFile).then(
    (s) => s.mtimeMs,
    () => Date.now(),
  )
  return Date.now() - started > bootTimeoutMs ? 'unreachable' : 'starting'
}
