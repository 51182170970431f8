/** Rebooting a container: a clean reboot from its init, then its sshd again. */
import type { PluginContext } from '@guix-ops/plugin-api'
import { LxcError, lxcError } from './errors.js'
import { initPid, lxcMust } from './containers.js'
import { waitForSsh } from './probe.js'
import { sleep } from './process.js'
import type { LxcResource } from './resource.js'

const REBOOT_TIMEOUT_MS = 180_000

export async function reboot(ctx: PluginContext, resource: LxcResource): Promise<void> {
  const before = await initPid(resource.container)
  ctx.progress.report('rebooting')
  await lxcMust(['lxc-stop', '-r', '-n', resource.container], LxcError.Start, ctx.machine)
  const deadline = Date.now() + REBOOT_TIMEOUT_MS
  // Its init changes when the reboot has happened; until then sshd may still answer from before.
  for (;;) {
    const now = await initPid(resource.container)
    if (now !== undefined && now !== before) break
    if (Date.now() > deadline)
      throw lxcError(LxcError.Boot, `the container did not reboot within ${REBOOT_TIMEOUT_MS / 1000} s`, {
        machine: ctx.machine,
      })
    await sleep(200, ctx.signal)
  }
  await waitForSsh(resource.container, ctx.machine, REBOOT_TIMEOUT_MS, ctx.signal)
}
