import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  type BridgeDhcp,
  bridgeDhcp,
  chooseAddress,
  dhclientDate,
  dhclientLeaseText,
  formatIpv4,
  leasedAddresses,
  neighbourAddresses,
  parseIpv4,
  writeSeededLease,
} from './seeded-lease.js'

const settings =
  (values: Record<string, string>) =>
  (name: string): string | undefined =>
    values[name]

const DEFAULT: BridgeDhcp = {
  router: '10.0.3.1',
  netmask: '255.255.255.0',
  first: parseIpv4('10.0.3.2')!,
  last: parseIpv4('10.0.3.254')!,
}

describe("lxc-net's DHCP settings", () => {
  it("takes lxc-net's defaults for what /etc/default/lxc-net leaves unset", () => {
    expect(bridgeDhcp(settings({}))).toEqual(DEFAULT)
  })

  it('reads a range of its own', () => {
    const dhcp = bridgeDhcp(
      settings({ LXC_ADDR: '192.168.50.1', LXC_NETMASK: '255.255.0.0', LXC_DHCP_RANGE: '192.168.60.10,192.168.60.20' }),
    )
    expect(dhcp).toEqual({
      router: '192.168.50.1',
      netmask: '255.255.0.0',
      first: parseIpv4('192.168.60.10'),
      last: parseIpv4('192.168.60.20'),
    })
  })

  it.each([
    ['a range with a lease time', { LXC_DHCP_RANGE: '10.0.3.2,10.0.3.254,12h' }],
    ['a reversed range', { LXC_DHCP_RANGE: '10.0.3.254,10.0.3.2' }],
    ['a range outside the subnet', { LXC_DHCP_RANGE: '10.0.4.2,10.0.4.254' }],
    ['an empty address', { LXC_ADDR: '' }],
    ['a netmask with a hole', { LXC_NETMASK: '255.0.255.0' }],
    ['an address out of bounds', { LXC_ADDR: '10.0.3.256' }],
  ])('gives nothing for %s', (_what, values) => {
    expect(bridgeDhcp(settings(values))).toBeUndefined()
  })

  it('converts addresses both ways', () => {
    expect(formatIpv4(parseIpv4('255.255.255.0')!)).toBe('255.255.255.0')
    expect(formatIpv4(parseIpv4('10.0.3.200')!)).toBe('10.0.3.200')
    expect(parseIpv4('10.0.3')).toBeUndefined()
  })
})

describe('the seeded address', () => {
  const LEASES = [
    '1796323335 00:16:3e:aa:bb:01 10.0.3.200 gxoprobe1 ff:3e:aa:bb:01:00:01:00:01:32:a4:66:77:00:16:3e:aa:bb:01',
    '1796321949 00:16:3e:92:3c:59 10.0.3.77 * *',
    'duid 00:01:00:01:2c:3d:4e:5f:00:16:3e:00:00:00',
    '1796321949 1234 fd42::10 * 00:01:00:01',
    '',
  ].join('\n')

  it("reads the IPv4 addresses of dnsmasq's lease file", () => {
    expect(leasedAddresses(LEASES)).toEqual(new Set(['10.0.3.200', '10.0.3.77']))
  })

  it("reads the addresses this host's neighbour table knows on the bridge", () => {
    const arp = [
      'IP address       HW type     Flags       HW address            Mask     Device',
      '10.0.3.50        0x1         0x2         00:16:3e:12:34:56     *        lxcbr0',
      '10.0.3.51        0x1         0x0         00:00:00:00:00:00     *        lxcbr0',
      '192.0.2.1        0x1         0x2         02:fc:00:00:00:05     *        eth0',
      '',
    ].join('\n')
    expect(neighbourAddresses(arp, 'lxcbr0')).toEqual(new Set(['10.0.3.50']))
  })

  it('is the same for the same container, and inside the range', () => {
    const address = chooseAddress('guix-ops-1234abcd-web', DEFAULT, new Set())
    expect(address).toBe(chooseAddress('guix-ops-1234abcd-web', DEFAULT, new Set()))
    const n = parseIpv4(address!)!
    expect(n >= DEFAULT.first && n <= DEFAULT.last).toBe(true)
  })

  it('skips leased and picked addresses, on from where the name puts it', () => {
    const own = chooseAddress('guix-ops-1234abcd-web', DEFAULT, new Set())!
    const next = formatIpv4(parseIpv4(own)! + 1)
    expect(chooseAddress('guix-ops-1234abcd-web', DEFAULT, new Set([own]))).toBe(next)
    expect(chooseAddress('guix-ops-1234abcd-web', DEFAULT, new Set([own, next]))).toBe(formatIpv4(parseIpv4(own)! + 2))
  })

  it("wraps round the range, never gives the bridge's own address, and gives none when all are taken", () => {
    const tiny = { ...DEFAULT, first: parseIpv4('10.0.3.1')!, last: parseIpv4('10.0.3.3')! }
    const seen = new Set(['a', 'b', 'c', 'd', 'e', 'f'].map((n) => chooseAddress(n, tiny, new Set(['10.0.3.2']))))
    expect(seen).toEqual(new Set(['10.0.3.3']))
    expect(chooseAddress('web', tiny, new Set(['10.0.3.2', '10.0.3.3']))).toBeUndefined()
  })
})

describe("dhclient's lease file", () => {
  it('dates in UTC with the weekday first, Sunday 0 (dhclient.leases(5))', () => {
    expect(dhclientDate(new Date('2037-12-03T18:09:53Z'))).toBe('4 2037/12/03 18:09:53')
    expect(dhclientDate(new Date('2026-01-04T03:04:05Z'))).toBe('0 2026/01/04 03:04:05')
  })

  it("holds the address with lxc-net's router and DNS, valid for hours", () => {
    const text = dhclientLeaseText('10.0.3.200', DEFAULT, new Date('2037-12-03T18:00:00Z'))
    expect(text).toBe(`lease {
  interface "eth0";
  fixed-address 10.0.3.200;
  option subnet-mask 255.255.255.0;
  option routers 10.0.3.1;
  option dhcp-lease-time 14400;
  option dhcp-message-type 5;
  option domain-name-servers 10.0.3.1;
  option dhcp-server-identifier 10.0.3.1;
  renew 4 2037/12/03 20:00:00;
  rebind 4 2037/12/03 21:30:00;
  expire 4 2037/12/03 22:00:00;
}
`)
  })
})

describe('the seeded lease in the upper layer', () => {
  it('makes var, var/lib and var/lib/dhcp 0755 under a strict umask, as the base has them', async () => {
    const upper = await mkdtemp(path.join(tmpdir(), 'guix-ops-lxc-lease-'))
    const previous = process.umask(0o077)
    try {
      await writeSeededLease(upper, { address: '10.0.3.57', dhcp: DEFAULT })
    } finally {
      process.umask(previous)
    }
    try {
      for (const d of ['var', 'var/lib', 'var/lib/dhcp'])
        expect(((await stat(path.join(upper, d))).mode & 0o777).toString(8)).toBe('755')
    } finally {
      await rm(upper, { recursive: true, force: true })
    }
  })
})
