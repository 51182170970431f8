/**
 * Powering a running VM down, off, or through a reboot, through QMP. Graceful
 * first (ACPI power button, which systemd answers by shutting down cleanly),
 * forceful only after a timeout, so disks are never cut off mid-write unless
 * the guest ignores the button.
 */
import { rm } from 'node:fs/promises'
import { waitUntil } from '@guix-ops/plugin-api'
import { livePid, waitForExit } from '../process.js'
import type { QemuResource } from '../resource.js'
import { qmp, queryStatus } from './qmp.js'

export const running = (r: QemuResource): Promise<number | undefined> => livePid(r.pidFile, r.pidFile)

/**
 * Presses the power button until the guest powers off (QEMU stays, paused in
 * `shutdown`). A guest still booting may not be listening for the button
 * yet, so it is pressed again every few seconds.
 */
async function powerDown(r: QemuResource, timeoutMs: number): Promise<boolean> {
  let pressed = 0
  const off = async () => {
    if (!(await running(r))) return true
    const state = await queryStatus(r.qmpSocket).catch(() => 'gone')
    if (state === 'shutdown' || state === 'gone') return true
    if (Date.now() - pressed > 5000) {
      await qmp(r.qmpSocket, [{ execute: 'system_powerdown' }])
      pressed = Date.now()
    }
    return false
  }
  return (await waitUntil(off, { timeout: timeoutMs, interval: 500 })) ?? false
}

/** Ends the QEMU process: `quit` over QMP, else SIGKILL. */
export async function kill(r: QemuResource): Promise<void> {
  const pid = await running(r)
  if (pid) {
    await qmp(r.qmpSocket, [{ execute: 'quit' }], 2000).catch(() => undefined)
    if (!(await waitForExit(pid, 5000))) {
      process.kill(pid, 'SIGKILL')
      await waitForExit(pid, 5000)
    }
  }
  await rm(r.pidFile, { force: true })
  await rm(r.qmpSocket, { force: true })
}

/** Graceful power-off; true if the guest shut down by itself, false if it had to be killed. */
export async function shutdown(r: QemuResource, timeoutMs: number): Promise<boolean> {
  const graceful = (await running(r)) ? await powerDown(r, timeoutMs).catch(() => false) : true
  await kill(r)
  return graceful
}

/** Graceful reboot: power off, then reset and continue the same QEMU process. */
export async function restart(r: QemuResource, timeoutMs: number): Promise<boolean> {
  const graceful = await powerDown(r, timeoutMs).catch(() => false)
  await qmp(r.qmpSocket, [{ execute: 'system_reset' }, { execute: 'cont' }])
  return graceful
}
