/**
 * The deployment's private network: one switch process per deployment
 * (see switch.ts), and one address per machine leased from 10.77.0.0/24.
 * Addresses are leased as plugin-api's leaseHostNumber hands them out.
 */
import { existsSync } from 'node:fs'
import { mkdir, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { leaseHostNumber, releaseHostNumber, waitUntil } from '@guix-ops/plugin-api'
import { QemuError, qemuError } from '../errors.js'
import { buildOnce } from '../once.js'
import { livePid } from '../process.js'
import { runtimeDir } from '../runtime-dir.js'

const SWITCH = fileURLToPath(new URL('./switch.js', import.meta.url))
const PREFIX = '10.77.0'
const FIRST_HOST = 10
const LAST_HOST = 250

export interface Lease {
  address: string
  /** With prefix length, for the guest's network config. */
  cidr: string
  mac: string
}

export interface PrivateNetwork {
  dir: string
  socket: string
}

async function network(deploymentDir: string): Promise<PrivateNetwork> {
  const dir = path.join(deploymentDir, 'qemu-network')
  await mkdir(path.join(dir, 'leases'), { recursive: true, mode: 0o700 })
  return { dir, socket: path.join(await runtimeDir(dir), 'switch.sock') }
}

const leaseOf = (n: number): Lease => ({
  address: `${PREFIX}.${n}`,
  cidr: `${PREFIX}.${n}/24`,
  mac: `52:54:00:77:00:${n.toString(16).padStart(2, '0')}`,
})

export async function leaseAddress(deploymentDir: string, machine: string): Promise<Lease> {
  const { dir } = await network(deploymentDir)
  const n = await leaseHostNumber(path.join(dir, 'leases'), machine, FIRST_HOST, LAST_HOST)
  if (n === undefined)
    throw qemuError(QemuError.Network, `the private network ${PREFIX}.0/24 has no free address left`, { machine })
  return leaseOf(n)
}

/** Gives the machine's address back; stops the switch when no machine is left on it, and says so. */
export async function releaseAddress(deploymentDir: string, machine: string): Promise<boolean> {
  const net = await network(deploymentDir)
  if ((await releaseHostNumber(path.join(net.dir, 'leases'), machine)) > 0) return false
  const pid = await livePid(path.join(net.dir, 'switch.pid'), net.socket)
  if (pid) process.kill(pid, 'SIGTERM')
  await rm(net.socket, { force: true })
  await rm(net.dir, { recursive: true, force: true })
  await rm(path.dirname(net.socket), { recursive: true, force: true })
  return true
}

/** The switch's socket, starting the switch if it is not running. */
export async function ensureSwitch(deploymentDir: string): Promise<string> {
  const net = await network(deploymentDir)
  const pidFile = path.join(net.dir, 'switch.pid')
  const running = async () => ((await livePid(pidFile, net.socket)) ? net.socket : undefined)
  return buildOnce(path.join(net.dir, 'starting'), running, () => startSwitch(net, pidFile))
}

async function startSwitch(net: PrivateNetwork, pidFile: string): Promise<string> {
  const { execa } = await import('execa')
  // Detached, and never awaited: the switch outlives this process.
  const child = execa(process.execPath, [SWITCH, net.socket], { detached: true, stdio: 'ignore', reject: false })
  child.nodeChildProcess.unref()
  await writeFile(pidFile, String(child.pid))
  await waitUntil(() => existsSync(net.socket), { timeout: 5000, interval: 100 })
  if (!existsSync(net.socket) || !(await livePid(pidFile, net.socket)))
    throw qemuError(QemuError.Network, `the private network switch did not start (socket ${net.socket})`)
  return net.socket
}
