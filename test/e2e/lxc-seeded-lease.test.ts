// A new lxc machine asks lxc-net's dnsmasq straight away for the address
// guix-ops wrote into its DHCP client's lease file (dhclient's INIT-REBOOT:
// a DHCPREQUEST answered at once), instead of a DHCPDISCOVER that dnsmasq
// answers only after pinging a new address for 3 s. dnsmasq still decides:
// a machine whose recorded address is leased to another comes up with
// another address, and that is the address guix-ops records and reaches.
import { createHash } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { testContext } from '@guix-ops/platform-test-kit'
import lxc, { type LxcResource } from '@guix-ops/plugin-lxc'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { lxcUnavailable } from '../support/lxc.js'
import { attach } from '../support/lxc-platform.js'

vi.setConfig({ testTimeout: 300_000 })

const unavailable = lxcUnavailable()
if (unavailable) console.warn(`skipping the lxc seeded lease test: ${unavailable}`)

const LEASES = '/var/lib/misc/dnsmasq.lxcbr0.leases'
const CHECKOUT = createHash('sha256').update(process.cwd()).digest('hex').slice(0, 6)

/** A machine of a deployment of its own, with an id fixed by this checkout: a leftover is made anew. */
function machineContext(machine: string) {
  const id = createHash('sha256').update(`${CHECKOUT}/seeded-lease/${machine}`).digest('hex')
  return { ...testContext(machine), deployment: { id, name: `e2e-${machine}` } }
}

type Context = ReturnType<typeof machineContext>

async function provision(ctx: Context, existing?: LxcResource): Promise<LxcResource> {
  const result = await lxc.options['~standard'].validate({})
  if (result.issues) throw new Error('the default lxc options do not validate')
  const options = result.value
  const { resource } = await lxc.provision(ctx, { name: ctx.machine, options, ...(existing ? { existing } : {}) })
  return resource
}

/** The container's MAC on lxc-net's bridge, from its LXC config. */
function bridgeMacOf(container: string): string {
  const config = readFileSync(`/var/lib/lxc/${container}/config`, 'utf8')
  return /^lxc\.net\.0\.hwaddr\s*=\s*(\S+)/m.exec(config)?.[1] ?? ''
}

/** The address dnsmasq's lease file gives `mac`, if any. */
function leasedTo(mac: string): string | undefined {
  const line = readFileSync(LEASES, 'utf8')
    .split('\n')
    .find((l) => l.split(' ')[1] === mac)
  return line?.split(' ')[2]
}

/** What ifupdown's dhclient said while bringing eth0 up in this boot. */
function dhclientLog(container: string): string {
  return attach(container, ['journalctl', '-b', '-u', 'networking.service', '-o', 'cat', '--no-pager']).stdout
}

/** A lease as dhclient records one (dhclient.leases(5)), for `address`, valid for hours yet. */
function recordedLease(address: string): string {
  const date = (d: Date) => `${d.getUTCDay()} ${d.toISOString().slice(0, 19).replace('T', ' ').replaceAll('-', '/')}`
  const later = (hours: number) => date(new Date(Date.now() + hours * 3_600_000))
  return `lease {
  interface "eth0";
  fixed-address ${address};
  option subnet-mask 255.255.255.0;
  option routers 10.0.3.1;
  option dhcp-lease-time 14400;
  option dhcp-message-type 5;
  option domain-name-servers 10.0.3.1;
  option dhcp-server-identifier 10.0.3.1;
  renew ${later(2)};
  rebind ${later(3.5)};
  expire ${later(4)};
}
`
}

describe.skipIf(unavailable !== undefined)('lxc platform: a new machine asks for a seeded address', () => {
  const first = machineContext('seeded1')
  const second = machineContext('seeded2')
  const made: [Context, LxcResource][] = []

  afterAll(async () => {
    for (const [ctx, resource] of made) await lxc.destroy?.(ctx, resource)
    for (const ctx of [first, second]) ctx.cleanup()
  })

  it('gets its address with one DHCPREQUEST, no DHCPDISCOVER', async () => {
    const resource = await provision(first)
    made.push([first, resource])
    const log = dhclientLog(resource.container)
    expect(log).toContain(`DHCPACK of ${resource.managementAddress}`)
    expect(log).not.toContain('DHCPDISCOVER')
    expect(leasedTo(bridgeMacOf(resource.container))).toBe(resource.managementAddress)
  })

  it('comes up with another address when its recorded one is leased to another machine', async () => {
    const taken = made[0]?.[1].managementAddress
    expect(taken).toMatch(/^10\.0\.3\./)
    const resource = await provision(second)
    made.push([second, resource])
    await lxc.stop?.(second, resource)
    const upper = `/var/lib/lxc/${resource.container}/overlay/delta`
    writeFileSync(path.join(upper, 'var/lib/dhcp/dhclient.eth0.leases'), recordedLease(taken!))

    const again = await provision(second, resource)
    made[1] = [second, again]
    const log = dhclientLog(again.container)
    expect(log).toContain(`DHCPREQUEST for ${taken}`)
    expect(log).toContain('DHCPNAK')
    expect(again.managementAddress).not.toBe(taken)
    expect(again.managementAddress).toMatch(/^10\.0\.3\./)
    expect(leasedTo(bridgeMacOf(again.container))).toBe(again.managementAddress)
    expect(leasedTo(bridgeMacOf(made[0]![1].container))).toBe(taken)
    expect(attach(again.container, ['hostname', '-I']).stdout).toContain(again.managementAddress)
  })
})
