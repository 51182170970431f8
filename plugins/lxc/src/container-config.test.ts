import { describe, expect, it } from 'vitest'
import { bridgeMac, guixOpsConfig, upperDir, withGuixOpsConfig, withOptionLines } from './container-config.js'

const lease = { bridge: 'gxo0123456789', address: '10.78.0.10', cidr: '10.78.0.10/24', mac: '02:01:23:45:00:0a' }
const CLONE = [
  'lxc.net.0.type = veth',
  'lxc.net.0.hwaddr = 00:16:3e:aa:bb:cc',
  'lxc.net.0.link = lxcbr0',
  'lxc.rootfs.path = overlay:/var/lib/lxc/base/rootfs:/var/lib/lxc/web/overlay/delta',
  'lxc.uts.name = guix-ops-1234abcd-web',
].join('\n')

describe('lxc container config', () => {
  it('gives the clone its hostname, a MAC fixed by its name, and a leg on the private network', () => {
    const lines = guixOpsConfig(
      'guix-ops-1234abcd-web',
      'web',
      lease,
      { release: 'bookworm', arch: 'amd64', unprivileged: false, autostart: false },
      () => false,
    )
    const config = withGuixOpsConfig(CLONE, lines)
    expect(config.match(/^lxc\.uts\.name = .*$/gm)).toEqual(['lxc.uts.name = web'])
    expect(config.match(/^lxc\.net\.0\.hwaddr = .*$/gm)).toEqual([
      `lxc.net.0.hwaddr = ${bridgeMac('guix-ops-1234abcd-web')}`,
    ])
    expect(config).toContain('lxc.net.1.link = gxo0123456789\n')
    expect(config).toContain('lxc.net.1.ipv4.address = 10.78.0.10/24\n')
    expect(config).not.toContain('lxc.start.auto')
  })

  it('keeps one MAC per container name, and another for another name', () => {
    expect(bridgeMac('a')).toBe(bridgeMac('a'))
    expect(bridgeMac('a')).not.toBe(bridgeMac('b'))
    expect(bridgeMac('a')).toMatch(/^00:16:3e(:[0-9a-f]{2}){3}$/)
  })

  it('writes limits, bind mounts (read-only when asked) and autostart', () => {
    const lines = guixOpsConfig(
      'c',
      'h',
      lease,
      {
        release: 'bookworm',
        arch: 'amd64',
        unprivileged: false,
        autostart: true,
        memory: 512,
        cpus: 2,
        mounts: [
          { source: '/srv/data', target: '/data', readOnly: true },
          { source: '/etc/motd', target: '/etc/motd', readOnly: false },
        ],
      },
      (source) => source === '/etc/motd',
    )
    expect(lines).toContain('lxc.start.auto = 1')
    expect(lines.some((l) => /memory\.(max|limit_in_bytes) = 512M$/.test(l))).toBe(true)
    expect(lines.some((l) => /cpu\.(max = 200000 100000|cfs_quota_us = 200000)$/.test(l))).toBe(true)
    expect(lines).toContain('lxc.mount.entry = /srv/data data none bind,create=dir,ro 0 0')
    expect(lines).toContain('lxc.mount.entry = /etc/motd etc/motd none bind,create=file 0 0')
  })

  it("replaces only guix-ops' option lines of a clone's config, keeping the base's own entries", () => {
    const base = `${CLONE}\nlxc.mount.entry = proc proc proc nodev 0 0\n\n# Added by guix-ops: an unprivileged base\nlxc.idmap = u 0 100000 65536`
    const made = { release: 'bookworm', arch: 'amd64', unprivileged: false, autostart: true, memory: 512 } as const
    const config = withGuixOpsConfig(
      base,
      guixOpsConfig('c', 'h', lease, made, () => false),
    )
    const changed = withOptionLines(config, ['lxc.mount.entry = /srv srv none bind,create=dir 0 0'])
    expect(changed).toContain('lxc.mount.entry = proc proc proc nodev 0 0\n')
    expect(changed).toContain('lxc.idmap = u 0 100000 65536\n')
    expect(changed).toContain('lxc.net.1.ipv4.address = 10.78.0.10/24\n')
    expect(changed).not.toMatch(/start\.auto|memory/)
    expect(changed.endsWith('lxc.mount.entry = /srv srv none bind,create=dir 0 0\n')).toBe(true)
    expect(withOptionLines(changed, ['lxc.mount.entry = /srv srv none bind,create=dir 0 0'])).toBe(changed)
  })

  it('finds the upper layer of an overlayfs clone, and nothing in another kind', () => {
    expect(upperDir(CLONE)).toBe('/var/lib/lxc/web/overlay/delta')
    expect(upperDir('lxc.rootfs.path = dir:/var/lib/lxc/base/rootfs')).toBeUndefined()
  })
})
