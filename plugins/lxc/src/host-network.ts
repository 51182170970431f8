/**
 * The bridge containers get their management address on, and its DHCP
 * server: lxc-net's lxcbr0 and dnsmasq. Checked before anything is created.
 *
 * The bridge is up only while lxc-net's dnsmasq runs: after a reboot, or
 * where no init system starts services (policy-rc.d, no systemd as PID 1),
 * the bridge and lxc-net's "network_up" mark can outlive dnsmasq, and
 * containers then get no address. So root gets lxc-net started by hand,
 * with the stale mark removed; anyone else is told what to run.
 */
import { existsSync, readFileSync } from 'node:fs'
import { LxcError, lxcError } from './errors.js'
import { run } from './process.js'

const LXC_NET = '/usr/libexec/lxc/lxc-net'
const DEFAULTS = '/etc/default/lxc-net'
const DNSMASQ_PID = '/run/lxc/dnsmasq.pid'
/** One set-up at a time, across processes (util-linux flock). */
const SETUP_LOCK = '/run/lock/guix-ops-lxc-net.lock'

/** Starts lxc-net unless its dnsmasq already runs; the stale mark would make lxc-net do nothing. */
const START_SCRIPT = `
pid=$(cat ${DNSMASQ_PID} 2>/dev/null) && [ "$(cat /proc/$pid/comm 2>/dev/null)" = dnsmasq ] && exit 0
rm -f /run/lxc/network_up
exec ${LXC_NET} start`

export const START_COMMAND = `sudo sh -c 'rm -f /run/lxc/network_up; ${LXC_NET} start'`

/** A setting of /etc/default/lxc-net, as lxc-net reads it; undefined when unset. */
export function setting(name: string): string | undefined {
  if (!existsSync(DEFAULTS)) return undefined
  return new RegExp(`^\\s*${name}="?([^"\\n]*)"?`, 'm').exec(readFileSync(DEFAULTS, 'utf8'))?.[1]
}

export function bridgeName(): string {
  return setting('LXC_BRIDGE') || 'lxcbr0'
}

function dnsmasqServes(): boolean {
  try {
    const pid = readFileSync(DNSMASQ_PID, 'utf8').trim()
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'dnsmasq'
  } catch {
    return false
  }
}

/** What is missing of the bridge and its DHCP, or undefined when both work. */
export function hostNetworkMissing(): string | undefined {
  if (!existsSync(LXC_NET)) return `${LXC_NET} is missing`
  const bridge = bridgeName()
  if (!existsSync(`/sys/class/net/${bridge}`)) return `the bridge ${bridge} does not exist`
  if (!dnsmasqServes()) return `no DHCP server (lxc-net's dnsmasq) runs on ${bridge}`
  return undefined
}

export const isRoot = (): boolean => process.getuid?.() === 0

/** Makes sure containers will get an address: sets lxc-net up as root, else says exactly what to run. */
export async function ensureHostNetwork(machine?: string): Promise<void> {
  if (setting('USE_LXC_BRIDGE') === 'false')
    throw lxcError(LxcError.HostSetup, `lxc-net is turned off (USE_LXC_BRIDGE="false" in ${DEFAULTS})`, {
      ...(machine ? { machine } : {}),
      suggestion: `set USE_LXC_BRIDGE="true" in ${DEFAULTS}, then run: ${START_COMMAND}`,
    })
  const missing = hostNetworkMissing()
  if (!missing) return
  if (!existsSync(LXC_NET))
    throw lxcError(LxcError.NotInstalled, `${missing}: LXC is not installed`, {
      ...(machine ? { machine } : {}),
      suggestion: 'apt-get install lxc debootstrap',
    })
  if (!isRoot())
    throw lxcError(LxcError.HostSetup, `${missing}; setting it up needs root`, {
      ...(machine ? { machine } : {}),
      suggestion: `run: ${START_COMMAND}`,
    })
  const result = await run(['flock', SETUP_LOCK, 'sh', '-c', START_SCRIPT])
  const still = hostNetworkMissing()
  if (result.code !== 0 || still)
    throw lxcError(LxcError.HostSetup, `lxc-net did not set up the bridge: ${result.stderr.trim() || still}`, {
      ...(machine ? { machine } : {}),
      suggestion: `check ${DEFAULTS}, then run: ${START_COMMAND}`,
    })
}
