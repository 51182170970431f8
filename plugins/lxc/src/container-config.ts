/**
 * The lines guix-ops adds to a clone's LXC config: its hostname, its leg on
 * the deployment's private network, limits, mounts and autostart.
 */
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import type { LxcOptions } from './options.js'
import type { Lease } from './private-network.js'

/** cgroup v2 keys where the unified hierarchy is mounted, else v1's. */
function limits(options: LxcOptions): string[] {
  const v2 = existsSync('/sys/fs/cgroup/cgroup.controllers')
  const lines: string[] = []
  if (options.memory !== undefined)
    lines.push(
      v2 ? `lxc.cgroup2.memory.max = ${options.memory}M` : `lxc.cgroup.memory.limit_in_bytes = ${options.memory}M`,
    )
  if (options.cpus !== undefined) {
    const quota = options.cpus * 100_000
    if (v2) lines.push(`lxc.cgroup2.cpu.max = ${quota} 100000`)
    else lines.push(`lxc.cgroup.cpu.cfs_period_us = 100000`, `lxc.cgroup.cpu.cfs_quota_us = ${quota}`)
  }
  return lines
}

/** Bind mounts; the paths are checked by the options schema to hold no whitespace. */
function mounts(options: LxcOptions, isFile: (source: string) => boolean): string[] {
  return (options.mounts ?? []).map((m) => {
    const flags = ['bind', isFile(m.source) ? 'create=file' : 'create=dir', ...(m.readOnly ? ['ro'] : [])]
    return `lxc.mount.entry = ${m.source} ${m.target.slice(1)} none ${flags.join(',')} 0 0`
  })
}

/**
 * The MAC on lxc-net's bridge, fixed per container name: a container made
 * again after it was lost gets its old DHCP lease back (same address, and
 * no wait while dnsmasq pings a new address before offering it).
 */
export function bridgeMac(container: string): string {
  const bytes = createHash('sha256').update(container).digest('hex').slice(0, 6).match(/../g) ?? []
  return `00:16:3e:${bytes.join(':')}`
}

export function guixOpsConfig(
  container: string,
  hostname: string,
  lease: Lease,
  options: LxcOptions,
  isFile: (source: string) => boolean,
): string[] {
  return [
    '# Added by guix-ops',
    `lxc.uts.name = ${hostname}`,
    `lxc.net.0.hwaddr = ${bridgeMac(container)}`,
    'lxc.net.1.type = veth',
    `lxc.net.1.link = ${lease.bridge}`,
    'lxc.net.1.flags = up',
    'lxc.net.1.name = eth1',
    `lxc.net.1.hwaddr = ${lease.mac}`,
    `lxc.net.1.ipv4.address = ${lease.cidr}`,
    ...(options.autostart ? ['lxc.start.auto = 1'] : []),
    ...limits(options),
    ...mounts(options, isFile),
  ]
}

/** The clone's config with its own uts.name and MAC dropped (ours replaces it) and ours appended. */
export function withGuixOpsConfig(config: string, lines: string[]): string {
  const kept = config.split('\n').filter((l) => !/^\s*lxc\.(uts\.name|net\.0\.hwaddr)\s*=/.test(l))
  return `${kept.join('\n').trimEnd()}\n\n${lines.join('\n')}\n`
}

/** The writable upper directory of an overlayfs clone (`overlay:LOWER:UPPER`). */
export function upperDir(config: string): string | undefined {
  const rootfs = /^\s*lxc\.rootfs\.path\s*=\s*(\S+)/m.exec(config)?.[1]
  const parts = rootfs?.split(':')
  return parts && parts[0] === 'overlay' && parts.length === 3 ? parts[2] : undefined
}
