/**
 * Helpers for tests of the lxc platform: what LXC itself says about the
 * containers, bridges and leases a deployment left on this host.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'

export function lxcContainers(): string[] {
  return (spawnSync('lxc-ls', ['-1'], { encoding: 'utf8' }).stdout ?? '').split(/\s+/).filter(Boolean)
}

/** Runs `argv` inside a container as root. */
export function attach(container: string, argv: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync('lxc-attach', ['-n', container, '--clear-env', '--', ...argv], {
    encoding: 'utf8',
    env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' },
    timeout: 30_000,
  })
  return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' }
}

/** True when `from` opens a TCP connection to address:22 within 3 s. */
export function reaches(from: string, address: string): boolean {
  return attach(from, ['timeout', '3', 'bash', '-c', `exec 3<>/dev/tcp/${address}/22`]).code === 0
}

export function linkExists(name: string): boolean {
  return existsSync(`/sys/class/net/${name}`)
}

/** The MAC addresses lxc-net's dnsmasq holds leases for. */
export function leasedMacs(): string[] {
  const file = '/var/lib/misc/dnsmasq.lxcbr0.leases'
  if (!existsSync(file)) return []
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[1])
    .filter((m): m is string => Boolean(m))
}
