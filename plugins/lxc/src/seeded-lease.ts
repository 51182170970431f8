/**
 * A DHCP lease written into a new clone before its first boot, so that its
 * dhclient (ISC, run by ifupdown) starts in INIT-REBOOT: it asks lxc-net's
 * dnsmasq for that address with one DHCPREQUEST, which dnsmasq (run
 * --dhcp-authoritative) answers at once, instead of a DHCPDISCOVER that
 * dnsmasq answers only after pinging the new address for 3 s. dnsmasq
 * still decides: an address it has leased to another client gets a NAK,
 * and dhclient falls back to the DISCOVER it would have sent anyway. The
 * address comes from lxc-net's DHCP range, free in dnsmasq's lease file,
 * unknown to this host's neighbour table on the bridge, and not picked for
 * another machine by this process. dnsmasq does not ping an address it is
 * asked for, so a container given an address inside the range by hand,
 * which this host has not seen lately, could get it twice: addresses set
 * by hand belong outside lxc-net's DHCP range. When anything
 * needed is unreadable or odd, no lease is written: the container takes
 * DHCP's usual path.
 */
import { createHash } from 'node:crypto'
import { chmod, lchown, mkdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { bridgeName, setting } from './host-network.js'
import type { IdMap } from './idmap.js'

/** lxc-net's own defaults (/usr/libexec/lxc/lxc-net) for what /etc/default/lxc-net leaves unset. */
const LXC_NET_DEFAULTS: Record<string, string> = {
  LXC_ADDR: '10.0.3.1',
  LXC_NETMASK: '255.255.255.0',
  LXC_DHCP_RANGE: '10.0.3.2,10.0.3.254',
}
/** How long the written lease claims to last: long enough for a slow boot on a busy host. */
const LEASE_HOURS = 4
/** Where ifupdown's dhclient keeps eth0's leases (ifupdown's inet dhcp method: -lf). */
export const DHCLIENT_LEASES = 'var/lib/dhcp/dhclient.eth0.leases'

export interface BridgeDhcp {
  /** The bridge's address: router, DNS server and DHCP server of its containers. */
  router: string
  netmask: string
  /** The DHCP range, as 32-bit numbers. */
  first: number
  last: number
}

export function parseIpv4(text: string): number | undefined {
  const parts = text.trim().split('.')
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined
  return parts.reduce((n, p) => n * 256 + Number(p), 0)
}

export function formatIpv4(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.')
}

/** A netmask's ones are contiguous from the top: its complement plus one is a power of two. */
function isNetmask(n: number): boolean {
  const hosts = 2 ** 32 - n
  return hosts > 1 && (hosts & (hosts - 1)) === 0
}

const sameSubnet = (a: number, b: number, mask: number) => (a & mask) >>> 0 === (b & mask) >>> 0

/** lxc-net's subnet and DHCP range from its settings (unset ones take its defaults); undefined when odd. */
export function bridgeDhcp(read: (name: string) => string | undefined): BridgeDhcp | undefined {
  const value = (name: string) => read(name) ?? LXC_NET_DEFAULTS[name] ?? ''
  const router = parseIpv4(value('LXC_ADDR'))
  const mask = parseIpv4(value('LXC_NETMASK'))
  const range = value('LXC_DHCP_RANGE').split(',')
  if (router === undefined || mask === undefined || !isNetmask(mask) || range.length !== 2) return undefined
  const [first, last] = range.map((a) => parseIpv4(a))
  if (first === undefined || last === undefined || first > last) return undefined
  if (!sameSubnet(first, router, mask) || !sameSubnet(last, router, mask)) return undefined
  return { router: formatIpv4(router), netmask: formatIpv4(mask), first, last }
}

/** The IPv4 addresses a dnsmasq lease file holds (`EXPIRY MAC ADDRESS HOSTNAME CLIENT-ID` lines). */
export function leasedAddresses(text: string): Set<string> {
  const addresses = text.split('\n').map((line) => line.split(' ')[2] ?? '')
  return new Set(addresses.filter((a) => parseIpv4(a) !== undefined))
}

/**
 * The addresses this host's neighbour table (`/proc/net/arp`) knows on
 * `bridge`: hosts that answered there lately, a container with an address
 * set by hand among them (dnsmasq's ping would have found it too).
 */
export function neighbourAddresses(text: string, bridge: string): Set<string> {
  const rows = text.split('\n').map((line) => line.trim().split(/\s+/))
  const seen = rows.filter(
    (r) => r[5] === bridge && r[3] !== '00:00:00:00:00:00' && parseIpv4(r[0] ?? '') !== undefined,
  )
  return new Set(seen.map((r) => r[0] ?? ''))
}

/** A free address of the range: from a place fixed by the container's name, the first not taken. */
export function chooseAddress(container: string, dhcp: BridgeDhcp, taken: ReadonlySet<string>): string | undefined {
  const size = dhcp.last - dhcp.first + 1
  const start = Number.parseInt(createHash('sha256').update(container).digest('hex').slice(0, 8), 16) % size
  for (let i = 0; i < size; i++) {
    const address = formatIpv4(dhcp.first + ((start + i) % size))
    if (address !== dhcp.router && !taken.has(address)) return address
  }
  return undefined
}

/** A date as dhclient.leases(5) has them: `WEEKDAY YEAR/MONTH/DAY HOUR:MINUTE:SECOND`, in UTC, Sunday 0. */
export function dhclientDate(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0')
  const day = `${date.getUTCFullYear()}/${pad(date.getUTCMonth() + 1)}/${pad(date.getUTCDate())}`
  const time = `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`
  return `${date.getUTCDay()} ${day} ${time}`
}

/** eth0's lease as dhclient writes one: renewal at half its time and rebinding at 7/8, as DHCP's defaults. */
export function dhclientLeaseText(address: string, dhcp: BridgeDhcp, now: Date): string {
  const seconds = LEASE_HOURS * 3600
  const at = (fraction: number) => dhclientDate(new Date(now.getTime() + fraction * seconds * 1000))
  return [
    'lease {',
    '  interface "eth0";',
    `  fixed-address ${address};`,
    `  option subnet-mask ${dhcp.netmask};`,
    `  option routers ${dhcp.router};`,
    `  option dhcp-lease-time ${seconds};`,
    '  option dhcp-message-type 5;',
    `  option domain-name-servers ${dhcp.router};`,
    `  option dhcp-server-identifier ${dhcp.router};`,
    `  renew ${at(1 / 2)};`,
    `  rebind ${at(7 / 8)};`,
    `  expire ${at(1)};`,
    '}',
    '',
  ].join('\n')
}

/** Addresses this process has written into a clone: two machines made at once never get the same. */
const picked = new Set<string>()

/** Picks the address for the container's lease, or undefined when lxc-net's settings or leases cannot be read. */
export async function pickSeedAddress(container: string): Promise<{ address: string; dhcp: BridgeDhcp } | undefined> {
  const dhcp = bridgeDhcp(setting)
  const bridge = bridgeName()
  const leases = await readFile(`/var/lib/misc/dnsmasq.${bridge}.leases`, 'utf8').catch(() => undefined)
  const neighbours = await readFile('/proc/net/arp', 'utf8').catch(() => '')
  if (!dhcp || leases === undefined) return undefined
  const taken = [...leasedAddresses(leases), ...neighbourAddresses(neighbours, bridge), ...picked]
  const address = chooseAddress(container, dhcp, new Set(taken))
  if (!address) return undefined
  picked.add(address)
  return { address, dhcp }
}

/**
 * Writes the lease into the clone's upper layer; resolves to its address, or
 * undefined when none was written. Its directories are made as the base has
 * them (0755, root's), and an unprivileged container's root is given them.
 */
export async function seedLease(upper: string, container: string, owner?: IdMap): Promise<string | undefined> {
  const seed = await pickSeedAddress(container)
  if (!seed) return undefined
  await writeSeededLease(upper, seed, owner)
  return seed.address
}

/** Writes dhclient's lease file for `seed` into the upper layer. */
export async function writeSeededLease(
  upper: string,
  seed: { address: string; dhcp: BridgeDhcp },
  owner?: IdMap,
): Promise<void> {
  const dirs = ['var', 'var/lib', 'var/lib/dhcp']
  // chmod too: mkdir's mode is cut by the umask, and these shadow the base's in the container.
  for (const dir of dirs) {
    await mkdir(path.join(upper, dir), { recursive: true, mode: 0o755 })
    await chmod(path.join(upper, dir), 0o755)
  }
  const file = path.join(upper, DHCLIENT_LEASES)
  await writeFile(file, dhclientLeaseText(seed.address, seed.dhcp, new Date()), { mode: 0o644 })
  await chmod(file, 0o644)
  if (owner) for (const made of [...dirs, DHCLIENT_LEASES]) await lchown(path.join(upper, made), owner.uid, owner.gid)
}
