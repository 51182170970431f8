/**
 * The LXC platform: machines are containers on this host, each an overlayfs
 * clone of a Debian base built once, with SSH on lxc-net's bridge and a
 * private network between the machines of a deployment.
 */
import { API_VERSION, definePlatform, type PlatformDefinition } from '@guix-ops/plugin-api'
import { containerState, lxcMust } from './containers.js'
import { LxcError, lxcError } from './errors.js'
import { KEY_FILE } from './keys.js'
import { boot, create, forwardPorts, remove, shutdown } from './lifecycle.js'
import { optionChanges } from './made.js'
import { type LxcOptions, lxcOptions } from './options.js'
import { stopForwarding } from './ports.js'
import { reboot } from './power.js'
import { managementAddress, waitForSsh } from './probe.js'
import { bootOrPutBack, reconfigure } from './reconfigure.js'
import type { LxcResource } from './resource.js'
import { containerStatus } from './status.js'

const READY_TIMEOUT_MS = 180_000

async function findOrCreate(
  ctx: Parameters<PlatformDefinition<LxcOptions, LxcResource>['provision']>[0],
  options: LxcOptions,
  existing: LxcResource | undefined,
): Promise<LxcResource> {
  const state = existing ? await containerState(existing.container) : undefined
  if (existing && state !== undefined) {
    // Forwarding lives on this host, not in the container: the ports asked for now apply at once.
    const ported = { ...existing, ports: options.ports ?? {} }
    const done = await reconfigure(ctx, ported, options, state === 'RUNNING')
    const { resource: current, stopped } = done
    if (state === 'STOPPED' || stopped) return bootOrPutBack(ctx, done, stopped)
    const address = await waitForSsh(current.container, ctx.machine, READY_TIMEOUT_MS, ctx.signal)
    await forwardPorts(ctx, current)
    return { ...current, managementAddress: address }
  }
  if (existing) ctx.logger.warn(`its container ${existing.container} is gone: creating it anew`)
  return create(ctx, options)
}

const lxcPlatform: PlatformDefinition<LxcOptions, LxcResource> = definePlatform<LxcOptions, LxcResource>({
  name: 'lxc',
  apiVersion: API_VERSION,
  description: 'Local LXC containers: copy-on-write clones of a Debian base, on a private network per deployment',
  options: lxcOptions,
  capabilities: { start: true, stop: true, reboot: true, destroy: true },

  async provision(ctx, { options, existing }) {
    const resource = await findOrCreate(ctx, options, existing)
    return {
      resource,
      address: resource.address,
      outputs: { container: resource.container, managementAddress: resource.managementAddress, base: resource.base },
    }
  },

  // The base is fixed when the container is made; limits, mounts and autostart are rewritten by deploy.
  optionChanges: ({ options, existing }) => optionChanges(existing.madeWith, options),

  status: (_ctx, resource) => containerStatus(resource.container),

  async ssh(ctx, resource) {
    return {
      host: (await managementAddress(resource.container)) ?? resource.managementAddress,
      port: 22,
      user: 'root',
      privateKeyPath: `${ctx.deploymentDir}/${KEY_FILE}`,
      hostKey: resource.hostKey,
    }
  },

  async start(ctx, resource) {
    const state = await containerState(resource.container)
    if (state === undefined)
      throw lxcError(LxcError.NotCreated, `its container ${resource.container} is gone`, {
        machine: ctx.machine,
        suggestion: 'run deploy to create the machine again',
      })
    if (state === 'STOPPED') await boot(ctx, resource)
  },

  async stop(ctx, resource) {
    ctx.progress.report('shutting the container down')
    await stopForwarding(ctx.stateDir)
    await shutdown(resource.container)
    if ((await containerState(resource.container)) === 'RUNNING')
      await lxcMust(['lxc-stop', '-k', '-n', resource.container], LxcError.Start, ctx.machine)
  },

  reboot,

  async destroy(ctx, resource) {
    ctx.progress.report('removing the container and its overlay')
    await remove(ctx, resource)
  },
})

export default lxcPlatform
export { type BaseInfo, baseName, ensureBase, listBases, removeBase } from './base.js'
export type { LxcResource }
export { type LxcOptions, lxcOptions }
