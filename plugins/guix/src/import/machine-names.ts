/** guix-ops machine names for the deploy file's hosts: the first label when that is unambiguous. */
import type { DeployMachine } from './deploy-file.js'

const IP = /^[0-9.]+$|:/

const sanitize = (name: string) => {
  const clean = name.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '')
  return (/^[A-Za-z0-9]/.test(clean) ? clean : `machine-${clean}`).slice(0, 63)
}

export function machineNames(machines: DeployMachine[]): string[] {
  const short = machines.map((m) =>
    IP.test(m.hostName) ? sanitize(`host-${m.hostName}`) : sanitize(m.hostName.split('.')[0] ?? ''),
  )
  if (new Set(short).size === short.length) return short
  const full = machines.map((m) => sanitize(m.hostName))
  return full.map((name, i) => (full.indexOf(name) === i ? name : `${name}-${i + 1}`))
}
