/** The endpoint's real hosts, one per instance, on free loopback addresses. */
import { rmSync } from 'node:fs'
import path from 'node:path'
import { addressFree, cloudInitConsole, type InstanceHost, sshdHost } from './hosts.js'
import type { Machines } from './instances.js'
import type { Instance, World } from './world.js'

export function sshdMachines(dir: string, world: World): Machines & { stopAll(): Promise<void> } {
  const hosts = new Map<string, InstanceHost>()
  const taken = new Set<string>()
  // Start somewhere random in 127.0.0.0/24 so that two test runs at once rarely try the same address.
  let next = 10 + Math.floor(Math.random() * 200)
  const hostOf = (i: Instance) => {
    let host = hosts.get(i.id)
    if (!host) {
      const key = i.keyName ? world.keyPairs.get(i.keyName)?.publicKey : undefined
      host = sshdHost(path.join(dir, i.id), key)
      hosts.set(i.id, host)
    }
    return host
  }
  return {
    async address() {
      for (let tries = 0; tries < 250; tries++) {
        next = next >= 254 ? 2 : next + 1
        const candidate = `127.0.0.${next}`
        if (taken.has(candidate) || !(await addressFree(candidate))) continue
        taken.add(candidate)
        return candidate
      }
      throw new Error('no free loopback address for an instance')
    },
    async boot(i) {
      const host = hostOf(i)
      const addresses = [...new Set([i.privateIp, i.publicIp ?? i.privateIp])]
      await host.boot(addresses)
      return cloudInitConsole(host.hostKey(), `ip-${i.privateIp.replace(/\./g, '-')}`)
    },
    async halt(i) {
      await hosts.get(i.id)?.halt()
    },
    async remove(i) {
      await hosts.get(i.id)?.halt()
      hosts.delete(i.id)
      rmSync(path.join(dir, i.id), { recursive: true, force: true })
    },
    async stopAll() {
      for (const host of hosts.values()) await host.halt()
    },
  }
}
