/**
 * The local VM platform. This release validates its options so that
 * deployments using it can be created and inspected; the VM lifecycle
 * (provision, start, stop, reboot, destroy) arrives with the deploy command,
 * and until then each method fails with E_QEMU_UNAVAILABLE, saying so.
 */
import { API_VERSION, definePlatform, GuixOpsError, type PlatformDefinition } from '@guix-ops/plugin-api'
import { type QemuOptions, qemuOptions } from './options.js'

const unavailable = (method: string) => async (): Promise<never> => {
  throw new GuixOpsError('E_QEMU_UNAVAILABLE', `qemu: ${method} is not available in this release of guix-ops`, {
    where: { plugin: 'qemu' },
    suggestion: 'this release creates and validates deployments; deploying to VMs comes with the deploy command',
  })
}

const qemu: PlatformDefinition<QemuOptions> = definePlatform<QemuOptions>({
  name: 'qemu',
  apiVersion: API_VERSION,
  description: 'Local virtual machines run by QEMU (KVM when usable, else TCG)',
  options: qemuOptions,
  capabilities: { start: true, stop: true, reboot: true, destroy: true, console: true },
  provision: unavailable('provision'),
  status: async () => 'not-created',
  ssh: unavailable('ssh'),
  start: unavailable('start'),
  stop: unavailable('stop'),
  reboot: unavailable('reboot'),
  destroy: unavailable('destroy'),
})

export default qemu
export { type QemuOptions, qemuOptions }
