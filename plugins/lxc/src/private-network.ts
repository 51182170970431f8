/**
 * The deployment's private network: a bridge of its own on this host (no
 * address of the host on it, so nothing is routed in or out), and one
 * address per machine leased from 10.78.0.0/24 as each container's eth1.
 * Machines of one deployment reach each other there; another deployment's
 * machines sit on another bridge. Addresses are leased as plugin-api's
 * leaseHostNumber hands them out.
 */
import { createHash } from 'node:crypto'
import { readFile, rm } from 'node:fs/promises'
import path from 'node:path'
import { leaseHostNumber, releaseHostNumber } from '@guix-ops/plugin-api'
import { LxcError, lxcError } from './errors.js'
import { run } from './process.js'

const PREFIX = '10.78.0'
const FIRST_HOST = 10
const LAST_HOST = 250

export interface Lease {
  bridge: string
  address: string
  /** With prefix length, as LXC's lxc.net.N.ipv4.address wants it. */
  cidr: string
  mac: string
}

/** The bridge's name: short (IFNAMSIZ is 16), and the same for every machine of the deployment. */
export const privateBridge = (deploymentId: string): string =>
  `gxo${createHash('sha256').update(deploymentId).digest('hex').slice(0, 10)}`

const leasesDir = (deploymentDir: string) => path.join(deploymentDir, 'lxc-network', 'leases')

function leaseOf(bridge: string, n: number): Lease {
  const hex = bridge.slice(3, 9).match(/../g) ?? []
  return {
    bridge,
    address: `${PREFIX}.${n}`,
    cidr: `${PREFIX}.${n}/24`,
    mac: `02:${hex.join(':')}:${n.toString(16).padStart(2, '0')}`,
  }
}

export async function leaseAddress(deploymentDir: string, deploymentId: string, machine: string): Promise<Lease> {
  const n = await leaseHostNumber(leasesDir(deploymentDir), machine, FIRST_HOST, LAST_HOST)
  if (n === undefined)
    throw lxcError(LxcError.Network, `the private network ${PREFIX}.0/24 has no free address left`, { machine })
  return leaseOf(privateBridge(deploymentId), n)
}

/** Whether the bridge exists and is up (IFF_UP in its sysfs flags): the common case, with no process to run. */
async function bridgeUp(bridge: string): Promise<boolean> {
  const flags = await readFile(`/sys/class/net/${bridge}/flags`, 'utf8').catch(() => '')
  return flags.trim() !== '' && (Number.parseInt(flags.trim(), 16) & 0x1) === 1
}

/** Makes the bridge unless it exists (after a host reboot it is gone, and containers on it cannot start). */
export async function ensureBridge(bridge: string, machine?: string): Promise<void> {
  if (await bridgeUp(bridge)) return
  const added = await run(['ip', 'link', 'add', 'name', bridge, 'type', 'bridge'])
  if (added.code !== 0 && !/exists/i.test(added.stderr))
    throw lxcError(LxcError.Network, `cannot make the private network bridge ${bridge}: ${added.stderr.trim()}`, {
      ...(machine ? { machine } : {}),
    })
  const up = await run(['ip', 'link', 'set', 'dev', bridge, 'up'])
  if (up.code !== 0)
    throw lxcError(LxcError.Network, `cannot bring up ${bridge}: ${up.stderr.trim()}`, {
      ...(machine ? { machine } : {}),
    })
}

/** Gives the machine's address back; removes the bridge when no machine is left on it. */
export async function releaseAddress(deploymentDir: string, deploymentId: string, machine: string): Promise<void> {
  const leases = leasesDir(deploymentDir)
  if ((await releaseHostNumber(leases, machine)) > 0) return
  await run(['ip', 'link', 'del', 'dev', privateBridge(deploymentId)])
  await rm(path.dirname(leases), { recursive: true, force: true })
}
