/**
 * The deployment's private network: a bridge of its own on this host (no
 * address of the host on it, so nothing is routed in or out), and one
 * address per machine leased from 10.78.0.0/24 as each container's eth1.
 * Machines of one deployment reach each other there; another deployment's
 * machines sit on another bridge. A lease is a directory made atomically,
 * so machines provisioned in parallel never get the same address; it holds
 * the machine's name, so provisioning again finds the same one.
 */
import { createHash } from 'node:crypto'
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
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

async function owner(dir: string): Promise<string> {
  return readFile(path.join(dir, 'machine'), 'utf8').catch(() => '')
}

export async function leaseAddress(deploymentDir: string, deploymentId: string, machine: string): Promise<Lease> {
  const leases = leasesDir(deploymentDir)
  const bridge = privateBridge(deploymentId)
  await mkdir(leases, { recursive: true, mode: 0o700 })
  for (const entry of await readdir(leases))
    if ((await owner(path.join(leases, entry))) === machine) return leaseOf(bridge, Number(entry))
  for (let n = FIRST_HOST; n <= LAST_HOST; n++) {
    try {
      await mkdir(path.join(leases, String(n)))
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue
      throw error
    }
    await writeFile(path.join(leases, String(n), 'machine'), machine)
    return leaseOf(bridge, n)
  }
  throw lxcError(LxcError.Network, `the private network ${PREFIX}.0/24 has no free address left`, { machine })
}

/** Makes the bridge unless it exists (after a host reboot it is gone, and containers on it cannot start). */
export async function ensureBridge(bridge: string, machine?: string): Promise<void> {
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
  const entries = await readdir(leases).catch(() => [] as string[])
  for (const entry of entries)
    if ((await owner(path.join(leases, entry))) === machine)
      await rm(path.join(leases, entry), { recursive: true, force: true })
  if ((await readdir(leases).catch(() => [] as string[])).length > 0) return
  await run(['ip', 'link', 'del', 'dev', privateBridge(deploymentId)])
  await rm(path.dirname(leases), { recursive: true, force: true })
}
