/**
 * Making, booting and removing a machine's container. A machine is an
 * overlayfs copy-on-write clone of its base (see overlay-clone.ts),
 * given its identity before its first boot (see inject.ts).
 */
import { existsSync, statSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import path from 'node:path'
import type { PluginContext } from '@guix-ops/plugin-api'
import { ensureBase } from './base.js'
import { guixOpsConfig } from './container-config.js'
import { containerState, lxc, lxcMust, lxcPath } from './containers.js'
import { LxcError, lxcError } from './errors.js'
import { ensureHostLimits } from './host-limits.js'
import { ensureHostNetwork, isRoot } from './host-network.js'
import { maskIdleUnits } from './idle-units.js'
import { type IdMap, rootIdMap } from './idmap.js'
import { injectIdentity } from './inject.js'
import { deploymentKey } from './keys.js'
import { madeWith } from './made.js'
import type { LxcOptions } from './options.js'
import { writeOverlayClone } from './overlay-clone.js'
import { startForwarding, stopForwarding } from './ports.js'
import { ensureBridge, type Lease, leaseAddress, releaseAddress } from './private-network.js'
import { waitForSsh } from './probe.js'
import type { LxcResource } from './resource.js'
import { seedLease } from './seeded-lease.js'
import { ensureShiftedBase } from './shifted-base.js'

/** Boot to SSH takes about a second; a busy host running many at once needs far longer. */
const BOOT_TIMEOUT_MS = 180_000
/** How long a container gets to shut down cleanly (and give its DHCP lease back). */
const STOP_TIMEOUT_S = 20

/** The container's name: unique per deployment and machine, and stable, so a lost one is made again as itself. */
export const containerName = (deploymentId: string, machine: string): string =>
  `guix-ops-${deploymentId.slice(0, 8)}-${machine}`

/** A valid hostname from a machine name (which may hold `_` and capitals). */
const hostnameOf = (machine: string) => machine.toLowerCase().replaceAll('_', '-').slice(0, 63)

export function isFile(source: string): boolean {
  return statSync(source).isFile()
}

/** Mount sources must exist before anything is made: bad input changes nothing. */
export function checkMounts(options: LxcOptions, machine: string): void {
  for (const [i, m] of (options.mounts ?? []).entries()) {
    try {
      statSync(m.source)
    } catch {
      throw lxcError(LxcError.Mount, `mounts.${i}.source: ${m.source} does not exist on this host`, { machine })
    }
  }
}

/**
 * Everything a new machine needs that can fail without leaving anything
 * behind, checked before anything is made: the host's bridge and DHCP
 * first, and its inotify limit, then who runs guix-ops, root's id ranges
 * for an unprivileged container, then the options that touch the host.
 * Returns the id map of an unprivileged container.
 */
export async function checkBeforeCreate(ctx: PluginContext, options: LxcOptions): Promise<IdMap | undefined> {
  await ensureHostNetwork(ctx.machine)
  await ensureHostLimits((m) => ctx.progress.report(m), ctx.machine)
  if (!isRoot())
    throw lxcError(
      LxcError.Unprivileged,
      `LXC containers are made by root here${options.unprivileged ? ', unprivileged ones too (root maps their ids)' : ''}; this user has no LXC of its own`,
      { machine: ctx.machine, suggestion: 'run guix-ops as root (sudo guix-ops deploy ...)' },
    )
  const map = options.unprivileged ? rootIdMap(ctx.machine) : undefined
  checkMounts(options, ctx.machine)
  return map
}

/** Removes what an interrupted run left of the container: LXC's own removal when it has a config, then its directory. */
async function removeLeftover(container: string): Promise<void> {
  const dir = path.join(await lxcPath(), container)
  if (existsSync(path.join(dir, 'config'))) await lxc(['lxc-destroy', '-f', '-n', container])
  await rm(dir, { recursive: true, force: true })
}

async function clone(
  ctx: PluginContext,
  options: LxcOptions,
  base: string,
  lease: Lease,
  map: IdMap | undefined,
): Promise<LxcResource> {
  const container = containerName(ctx.deployment.id, ctx.machine)
  const hostname = hostnameOf(ctx.machine)
  await removeLeftover(container)
  const lines = guixOpsConfig(container, hostname, lease, options, isFile)
  const upper = await writeOverlayClone({
    lxcDir: await lxcPath(),
    base,
    container,
    lines,
    owner: map,
    machine: ctx.machine,
  })
  const key = await deploymentKey(ctx.deploymentDir, ctx.deployment.name)
  const hostKey = await injectIdentity(upper, hostname, key.publicKey, ctx.stateDir, map)
  // Its first DHCP exchange then skips dnsmasq's 3 s ping of a new address (see seeded-lease.ts).
  await seedLease(upper, container, map)
  await maskIdleUnits(upper, map)
  return {
    container,
    base,
    address: lease.address,
    managementAddress: '',
    hostKey,
    bridge: lease.bridge,
    ports: options.ports ?? {},
    madeWith: madeWith(options),
  }
}

/** Makes the machine's container and boots it. */
export async function create(ctx: PluginContext, options: LxcOptions): Promise<LxcResource> {
  const map = await checkBeforeCreate(ctx, options)
  const report = (message: string) => ctx.progress.report(message)
  const base = map
    ? await ensureShiftedBase(options.release, options.arch, map, report, ctx.machine)
    : await ensureBase(options.release, options.arch, report, ctx.machine)
  const lease = await leaseAddress(ctx.deploymentDir, ctx.deployment.id, ctx.machine)
  await ensureBridge(lease.bridge, ctx.machine)
  ctx.progress.report('cloning the base (overlayfs)')
  try {
    return await boot(ctx, await clone(ctx, options, base, lease, map))
  } catch (error) {
    // Not recorded in state, so nothing would ever remove it: a failed machine leaves nothing behind.
    await removeLeftover(containerName(ctx.deployment.id, ctx.machine))
    await stopForwarding(ctx.stateDir).catch(() => undefined)
    await releaseAddress(ctx.deploymentDir, ctx.deployment.id, ctx.machine)
    throw error
  }
}

/** Starts the container and waits for its sshd; the address it got is recorded. */
export async function boot(ctx: PluginContext, resource: LxcResource): Promise<LxcResource> {
  await ensureHostNetwork(ctx.machine)
  await ensureHostLimits((m) => ctx.progress.report(m), ctx.machine)
  await ensureBridge(resource.bridge, ctx.machine)
  ctx.progress.report('starting the container')
  await lxcMust(['lxc-start', '-n', resource.container], LxcError.Start, ctx.machine)
  ctx.progress.report('waiting for sshd')
  const managementAddress = await waitForSsh(resource.container, ctx.machine, BOOT_TIMEOUT_MS, ctx.signal)
  await forwardPorts(ctx, resource)
  return { ...resource, managementAddress }
}

/** (Re)starts the machine's port forwarder for its ports; with none left, stops it. */
export async function forwardPorts(ctx: PluginContext, resource: LxcResource): Promise<void> {
  await startForwarding(ctx.stateDir, resource.container, resource.ports, ctx.machine)
}

/** Shuts the container down cleanly (so it gives its DHCP lease back), killing it after a while. */
export async function shutdown(container: string): Promise<void> {
  if ((await containerState(container)) !== 'RUNNING') return
  await lxc(['lxc-stop', '-n', container, '-t', String(STOP_TIMEOUT_S)])
}

/**
 * Gives the container's DHCP lease back to lxc-net's dnsmasq (ifdown
 * inside), then kills it: as clean for the host as a shutdown, in a
 * fraction of the time.
 */
async function releaseAndKill(container: string): Promise<void> {
  if ((await containerState(container)) !== 'RUNNING') return
  // ifdown runs dhclient -r with the pid and lease files ifup started it with (a bare `dhclient -r` releases nothing).
  await lxc(['lxc-attach', '-n', container, '--clear-env', '--', 'timeout', '5', 'ifdown', 'eth0'])
  await lxc(['lxc-stop', '-k', '-n', container])
}

/** Removes the container, its overlay storage, its DHCP lease and its lease on the private network. */
export async function remove(ctx: PluginContext, resource: LxcResource): Promise<void> {
  await stopForwarding(ctx.stateDir)
  await releaseAndKill(resource.container)
  if ((await containerState(resource.container)) !== undefined)
    await lxcMust(['lxc-destroy', '-f', '-n', resource.container], LxcError.Clone, ctx.machine)
  await releaseAddress(ctx.deploymentDir, ctx.deployment.id, ctx.machine)
}
