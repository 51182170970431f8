import { describe, expect, it } from 'vitest'
import type { ImageInfo } from '../images/cache.js'
import type { QemuOptions } from '../options.js'
import { qemuCommandLine, UPLINK_MAC } from './command-line.js'

const options: QemuOptions = { memory: 1024, cpus: 2, diskSize: '8G', image: 'debian', accel: 'auto', bootTimeout: 300 }
const image: ImageInfo = {
  name: 'debian-bookworm-0123456789ab',
  source: 'builder',
  origin: 'debian',
  createdAt: '2026-01-01T00:00:00.000Z',
  disk: '/cache/images/debian/disk.qcow2',
  format: 'qcow2',
  kernel: '/cache/images/debian/vmlinuz',
  initrd: '/cache/images/debian/initrd.img',
  virtualSize: 2 ** 31,
}
const layout = {
  name: 'shop-db',
  disk: '/state/shop/db/disk.qcow2',
  serialLog: '/state/shop/db/serial.log',
  pidFile: '/state/shop/db/qemu.pid',
  qmpSocket: '/run/g/qmp.sock',
  switchSocket: '/run/g/switch.sock',
}
const lease = { address: '10.77.0.10', cidr: '10.77.0.10/24', mac: '52:54:00:77:00:0a' }
const base = {
  options,
  image,
  layout,
  accel: 'tcg' as const,
  sshPort: 2222,
  lease,
  hostname: 'db',
  publicKey: 'ssh-ed25519 AAAA',
}

/** The value that follows `flag` in the argv, for each time it appears. */
const after = (argv: string[], flag: string) => argv.flatMap((arg, i) => (arg === flag ? [argv[i + 1]] : []))

describe('qemuCommandLine', () => {
  it('forwards SSH and the asked ports from 127.0.0.1 only, never from every address', () => {
    const argv = qemuCommandLine({ ...base, options: { ...options, ports: { '80': 8080 } } })
    const uplink = after(argv, '-netdev').find((n) => n?.startsWith('user,'))
    expect(uplink).toBe('user,id=uplink,restrict=on,hostfwd=tcp:127.0.0.1:2222-:22,hostfwd=tcp:127.0.0.1:8080-:80')
    expect(after(argv, '-device')).toContain(`virtio-net-pci,netdev=uplink,mac=${UPLINK_MAC}`)
    expect(after(argv, '-device')).toContain('virtio-net-pci,netdev=private,mac=52:54:00:77:00:0a')
  })

  it('uses the host CPU with KVM and the emulated "max" CPU with TCG, with the asked memory and CPUs', () => {
    const tcg = qemuCommandLine(base)
    expect(after(tcg, '-machine')).toEqual(['q35,accel=tcg'])
    expect(after(tcg, '-cpu')).toEqual(['max'])
    expect(after(tcg, '-m')).toEqual(['1024'])
    expect(after(tcg, '-smp')).toEqual(['2'])
    expect(after(qemuCommandLine({ ...base, accel: 'kvm' }), '-cpu')).toEqual(['host'])
  })

  it('writes a comma inside a path twice, so a path cannot add QEMU options', () => {
    const argv = qemuCommandLine({ ...base, layout: { ...layout, disk: '/state/a,b/disk.qcow2' } })
    expect(after(argv, '-drive')[0]).toBe('file=/state/a,,b/disk.qcow2,if=virtio,format=qcow2,discard=unmap')
  })

  it("boots the image's kernel with the machine's name, key and private address on its command line", () => {
    const argv = qemuCommandLine(base)
    expect(after(argv, '-kernel')).toEqual([image.kernel])
    expect(after(argv, '-initrd')).toEqual([image.initrd])
    expect(after(argv, '-append')[0]?.split(' ')).toEqual([
      'root=/dev/vda',
      'rw',
      'console=ttyS0',
      'guixops.hostname=db',
      `guixops.key=${Buffer.from('ssh-ed25519 AAAA').toString('base64')}`,
      'guixops.net=10.77.0.10/24',
      'guixops.mac=52:54:00:77:00:0a',
    ])
  })

  it('boots an image without a kernel from its disk, attaches a seed read-only, and puts extra arguments last', () => {
    const { kernel: _k, initrd: _i, ...firmwareImage } = image
    const argv = qemuCommandLine({
      ...base,
      image: firmwareImage,
      layout: { ...layout, seed: '/state/shop/db/seed.img' },
      options: { ...options, extraArgs: ['-device', 'virtio-rng-pci'] },
    })
    expect(argv).not.toContain('-kernel')
    expect(after(argv, '-drive')[1]).toBe('file=/state/shop/db/seed.img,if=virtio,format=raw,readonly=on')
    expect(argv.slice(-2)).toEqual(['-device', 'virtio-rng-pci'])
  })
})
