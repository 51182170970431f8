/**
 * The lines guix-ops adds to a clone's LXC config: its hostname, its leg on
 * the deployment's private network, limits, mounts and autostart.
 */
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import type { LxcOptions } from './options.js'
import type { Lease } from './private-network.js'

/** The line before guix-ops' own lines in a clone's config. */
const MARK = '# Added by guix-ops'

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

/** A running container's limits as `lxc-cgroup` sets them: none left out means no limit. */
export function liveLimits(options: Pick<LxcOptions, 'memory' | 'cpus'>): { memory: string[][]; cpus: string[][] } {
  const v2 = existsSync('/sys/fs/cgroup/cgroup.controllers')
  const memory = options.memory === undefined ? undefined : `${options.memory}M`
  const quota = options.cpus === undefined ? undefined : String(options.cpus * 100_000)
  if (v2) return { memory: [['memory.max', memory ?? 'max']], cpus: [['cpu.max', `${quota ?? 'max'} 100000`]] }
  return {
    memory: [['memory.limit_in_bytes', memory ?? '-1']],
    cpus: [
      ['cpu.cfs_period_us', '100000'],
      ['cpu.cfs_quota_us', quota ?? '-1'],
    ],
  }
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
    MARK,
    `lxc.uts.name = ${hostname}`,
    `lxc.net.0.hwaddr = ${bridgeMac(container)}`,
    'lxc.net.1.type = veth',
    `lxc.net.1.link = ${lease.bridge}`,
    'lxc.net.1.flags = up',
    'lxc.net.1.name = eth1',
    `lxc.net.1.hwaddr = ${lease.mac}`,
    `lxc.net.1.ipv4.address = ${lease.cidr}`,
    ...optionLines(options, isFile),
  ]
}

/** The lines that follow options a deploy may change on an existing container: autostart, limits, mounts. */
export function optionLines(options: LxcOptions, isFile: (source: string) => boolean): string[] {
  return [...(options.autostart ? ['lxc.start.auto = 1'] : []), ...limits(options), ...mounts(options, isFile)]
}

const OPTION_LINE = /^\s*lxc\.(start\.auto|cgroup2?\.(memory|cpu)\.[a-z_.]+|mount\.entry)\s*=/

/**
 * The container's config with guix-ops' option lines replaced by `lines`:
 * only those after guix-ops' own mark, so the base's own entries stay.
 */
export function withOptionLines(config: string, lines: string[]): string {
  const all = config.trimEnd().split('\n')
  const mark = all.lastIndexOf(MARK)
  if (mark < 0) return `${[...all, '', MARK, ...lines].join('\n')}\n`
  const ours = all.slice(mark).filter((l) => !OPTION_LINE.test(l))
  return `${[...all.slice(0, mark), ...ours, ...lines].join('\n')}\n`
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
