import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { bridgeMac, guixOpsConfig } from './container-config.js'
import type { LxcOptions } from './options.js'
import { baseRootfs, writeOverlayClone } from './overlay-clone.js'

/** A base as `lxc-create -t debian` wrote it (LXC 5.0.2, Debian 12), its path under LXC_DIR. */
const BASE_CONFIG = `# Template used to create this container: /usr/share/lxc/templates/lxc-debian
# Parameters passed to the template: -r bookworm -a amd64 --packages=sudo

lxc.net.0.type = veth
lxc.net.0.hwaddr = 00:16:3e:22:c1:ab
lxc.net.0.link = lxcbr0
lxc.net.0.flags = up
lxc.apparmor.profile = generated
lxc.apparmor.allow_nesting = 1
lxc.rootfs.path = dir:LXC_DIR/base/rootfs

# Common configuration
lxc.include = /usr/share/lxc/config/debian.common.conf

# Container specific configuration
lxc.tty.max = 4
lxc.uts.name = base
lxc.arch = amd64
lxc.pty.max = 1024
`

/**
 * What `lxc-copy -n base -N web -s -B overlayfs` made of that base on the
 * same host (blank lines dropped, as LXC does): the clone's config keeps
 * every setting of the base, in order, but its root, name and MAC.
 */
const LXC_COPY_CONFIG = `# Template used to create this container: /usr/share/lxc/templates/lxc-debian
# Parameters passed to the template: -r bookworm -a amd64 --packages=sudo
lxc.net.0.type = veth
lxc.net.0.hwaddr = 00:16:3e:75:59:4f
lxc.net.0.link = lxcbr0
lxc.net.0.flags = up
lxc.apparmor.profile = generated
lxc.apparmor.allow_nesting = 1
# Common configuration
lxc.include = /usr/share/lxc/config/debian.common.conf
# Container specific configuration
lxc.tty.max = 4
lxc.arch = amd64
lxc.pty.max = 1024
lxc.rootfs.path = overlay:LXC_DIR/base/rootfs:LXC_DIR/web/overlay/delta
lxc.uts.name = web
`

const lease = { bridge: 'gxo0123456789', address: '10.78.0.10', cidr: '10.78.0.10/24', mac: '02:01:23:45:00:0a' }
const options: LxcOptions = { release: 'bookworm', arch: 'amd64', unprivileged: false, autostart: false }

/** The config's settings (`key = value` lines), without comments and blank lines. */
const settings = (config: string) => config.split('\n').filter((l) => /^lxc\./.test(l))
const mode = async (file: string) => (await stat(file)).mode & 0o777

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'guix-ops-lxc-clone-'))
  await mkdir(path.join(dir, 'base', 'rootfs'), { recursive: true })
  await writeFile(path.join(dir, 'base', 'config'), BASE_CONFIG.replaceAll('LXC_DIR', dir))
})
afterEach(() => rm(dir, { recursive: true, force: true }))

describe('overlayfs clone written without lxc-copy', () => {
  it("writes lxc-copy's config, with guix-ops' hostname, MAC and private network", async () => {
    const lines = guixOpsConfig('web', 'web', lease, options, () => false)
    const upper = await writeOverlayClone({ lxcDir: dir, base: 'base', container: 'web', lines, machine: 'web' })
    expect(upper).toBe(path.join(dir, 'web', 'overlay', 'delta'))
    const config = await readFile(path.join(dir, 'web', 'config'), 'utf8')
    // lxc-copy's, in its order, with its random MAC and its name (the container's) replaced by guix-ops' lines.
    const fromLxcCopy = settings(LXC_COPY_CONFIG.replaceAll('LXC_DIR', dir)).filter(
      (l) => !/^lxc\.(net\.0\.hwaddr|uts\.name) =/.test(l),
    )
    expect(settings(config)).toEqual([...fromLxcCopy, ...settings(lines.join('\n'))])
    expect(config.match(/^lxc\.net\.0\.hwaddr = .*$/gm)).toEqual([`lxc.net.0.hwaddr = ${bridgeMac('web')}`])
    expect(config.match(/^lxc\.rootfs\.path = .*$/gm)).toEqual([
      `lxc.rootfs.path = overlay:${dir}/base/rootfs:${dir}/web/overlay/delta`,
    ])
  })

  it("lays the clone out as LXC does, and records it as the base's snapshot", async () => {
    const lines = guixOpsConfig('web', 'web', lease, options, () => false)
    await writeOverlayClone({ lxcDir: dir, base: 'base', container: 'web', lines, machine: 'web' })
    await writeOverlayClone({ lxcDir: dir, base: 'base', container: 'db', lines, machine: 'db' })
    expect(await mode(path.join(dir, 'web'))).toBe(0o770)
    for (const d of ['rootfs', 'overlay', 'overlay/delta', 'overlay/work'])
      expect(await mode(path.join(dir, 'web', d))).toBe(0o755)
    expect(await mode(path.join(dir, 'web', 'config'))).toBe(0o640)
    expect(await readFile(path.join(dir, 'web', 'lxc_rdepends'), 'utf8')).toBe(`${dir}\nbase\n`)
    expect(await readFile(path.join(dir, 'base', 'lxc_snapshots'), 'utf8')).toBe(`${dir}\nweb\n${dir}\ndb\n`)
  })

  it("keeps the clone's directories 0755 under a strict umask (the merged root takes the upper layer's mode)", async () => {
    const lines = guixOpsConfig('web', 'web', lease, options, () => false)
    const previous = process.umask(0o077)
    try {
      await writeOverlayClone({ lxcDir: dir, base: 'base', container: 'web', lines, machine: 'web' })
    } finally {
      process.umask(previous)
    }
    for (const d of ['rootfs', 'overlay', 'overlay/delta', 'overlay/work'])
      expect(await mode(path.join(dir, 'web', d))).toBe(0o755)
  })

  it('refuses a base that is not a directory, and writes nothing', async () => {
    await writeFile(path.join(dir, 'base', 'config'), 'lxc.rootfs.path = lvm:/dev/vg/base\n')
    const clone = { lxcDir: dir, base: 'base', container: 'web', lines: [], machine: 'web' }
    await expect(writeOverlayClone(clone)).rejects.toMatchObject({ code: 'E_LXC_CLONE' })
    await expect(stat(path.join(dir, 'web'))).rejects.toMatchObject({ code: 'ENOENT' })
  })

  it("finds the base's root in dir: and bare paths only", () => {
    expect(baseRootfs('lxc.rootfs.path = dir:/var/lib/lxc/b/rootfs')).toBe('/var/lib/lxc/b/rootfs')
    expect(baseRootfs('lxc.rootfs.path = /var/lib/lxc/b/rootfs')).toBe('/var/lib/lxc/b/rootfs')
    expect(baseRootfs('lxc.rootfs.path = overlay:/a:/b')).toBeUndefined()
    expect(baseRootfs('lxc.arch = amd64')).toBeUndefined()
  })
})
