/**
 * The local VM platform: machines are QEMU virtual machines on this host,
 * with SSH forwarded from 127.0.0.1 and a private network between the
 * machines of a deployment. KVM when it really works, else TCG.
 */
import { API_VERSION, definePlatform, type PlatformDefinition } from '@guix-ops/plugin-api'
import { QemuError, qemuError } from './errors.js'
import { boot, create, removeFiles } from './lifecycle.js'
import { optionChanges } from './made.js'
import { type QemuOptions, qemuOptions } from './options.js'
import type { QemuResource } from './resource.js'
import { vmStatus } from './status.js'
import { logSize, waitForBoot } from './vm/boot.js'
import { restart, shutdown } from './vm/power.js'

/** How long a guest gets to power off by itself before it is cut off. */
const POWER_OFF_TIMEOUT_MS = 90_000
const bootTimeoutMs = (r: QemuResource): number => r.bootTimeout * 1000

const qemu: PlatformDefinition<QemuOptions, QemuResource> = definePlatform<QemuOptions, QemuResource>({
  name: 'qemu',
  apiVersion: API_VERSION,
  description: 'Local virtual machines run by QEMU (KVM when usable, else TCG), on a private network',
  options: qemuOptions,
  capabilities: { start: true, stop: true, reboot: true, destroy: true, console: true },

  async provision(ctx, { options, existing }) {
    let resource: QemuResource
    const status = existing ? await vmStatus(existing, options.bootTimeout * 1000) : 'not-created'
    if (existing && status === 'stopped') resource = await boot(ctx, { ...existing, bootTimeout: options.bootTimeout })
    else if (existing && status !== 'not-created') {
      if (status === 'starting') ctx.progress.report('waiting for the VM to finish booting')
      resource = { ...existing, bootTimeout: options.bootTimeout }
    } else {
      if (existing) ctx.logger.warn(`its disk ${existing.disk} is gone: creating the machine anew`)
      resource = await create(ctx, options)
    }
    return {
      resource,
      address: resource.address,
      outputs: {
        sshPort: resource.sshPort,
        accel: resource.accel,
        image: resource.image,
        serialLog: resource.serialLog,
      },
    }
  },

  // Hardware and image are fixed on the command line a VM was made with: only re-creating it applies them.
  optionChanges: ({ options, existing }) => optionChanges(existing.madeWith, options),

  status: (_ctx, resource) => vmStatus(resource, bootTimeoutMs(resource)),

  async ssh(ctx, resource) {
    return {
      host: '127.0.0.1',
      port: resource.sshPort,
      user: 'root',
      privateKeyPath: `${ctx.deploymentDir}/qemu-ssh-key`,
      ...(resource.hostKey ? { hostKey: resource.hostKey } : {}),
    }
  },

  async start(ctx, resource) {
    const status = await vmStatus(resource, bootTimeoutMs(resource))
    if (status === 'not-created')
      throw qemuError(QemuError.Launch, `its disk ${resource.disk} is gone`, {
        machine: ctx.machine,
        suggestion: 'run deploy to create the machine again',
      })
    if (status !== 'stopped') return
    await shutdown(resource, 1000) // a guest powered off from inside leaves QEMU paused: end it first
    await boot(ctx, resource)
  },

  async stop(ctx, resource) {
    ctx.progress.report('powering off (ACPI)')
    if (!(await shutdown(resource, POWER_OFF_TIMEOUT_MS)))
      ctx.logger.warn(`the guest did not power off within ${POWER_OFF_TIMEOUT_MS / 1000} s and was cut off`)
  },

  async reboot(ctx, resource) {
    const offset = await logSize(resource.serialLog)
    ctx.progress.report('rebooting (ACPI power-off, then reset)')
    if (!(await restart(resource, POWER_OFF_TIMEOUT_MS)))
      ctx.logger.warn(`the guest did not power off within ${POWER_OFF_TIMEOUT_MS / 1000} s and was reset`)
    await waitForBoot({
      serialLog: resource.serialLog,
      pidFile: resource.pidFile,
      sshPort: resource.sshPort,
      logOffset: offset,
      timeoutMs: bootTimeoutMs(resource),
      needHostKey: resource.argv.includes('-kernel'),
      machine: ctx.machine,
      signal: ctx.signal,
    })
  },

  async destroy(ctx, resource) {
    ctx.progress.report('removing the VM and its files')
    await removeFiles(ctx, resource)
  },
})

export default qemu
export { type CachedImage, listImages, removeImage } from './images/cache.js'
export { debianImage } from './images/debian.js'
export type { QemuResource }
export { type QemuOptions, qemuOptions }
