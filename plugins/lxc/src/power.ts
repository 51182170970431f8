/** Rebooting a container: a clean reboot from its init, then its sshd again. */
import { type PluginContext, waitUntil } from '@guix-ops/plugin-api'
import { initPid, lxcMust } from './containers.js'
import { LxcError, lxcError } from './errors.js'
import { waitForSsh } from './probe.js'
import type { LxcResource } from './resource.js'

const REBOOT_TIMEOUT_MS = 180_000

export async function reboot(ctx: PluginContext, resource: LxcResource): Promise<void> {
  const before = await initPid(resource.container)
  ctx.progress.report('rebooting')
  await lxcMust(['lxc-stop', '-r', '-n', resource.container], LxcError.Start, ctx.machine)
  // Its init changes when the reboot has happened; until then sshd may still answer from before.
  const rebooted = await waitUntil(
    async () => {
      const now = await initPid(resource.container)
      return now !== undefined && now !== before
    },
    { timeout: REBOOT_TIMEOUT_MS, interval: 200, signal: ctx.signal },
  )
  if (!rebooted)
    throw lxcError(LxcError.Boot, `the container did not reboot within ${REBOOT_TIMEOUT_MS / 1000} s`, {
      machine: ctx.machine,
    })
  await waitForSsh(resource.container, ctx.machine, REBOOT_TIMEOUT_MS, ctx.signal)
}
