import { describe, expect, it } from 'vitest'
import qemu from './index.js'
import { madeWith } from './made.js'
import type { QemuOptions } from './options.js'
import { qemuOptions } from './options.js'
import type { QemuResource } from './resource.js'

const options = (value: Record<string, unknown> = {}): QemuOptions => {
  const result = qemuOptions['~standard'].validate(value) as { value?: QemuOptions }
  return result.value!
}

/** A resource as `create` records it: the command line it boots with, and what it was made with. */
const resource = (o: QemuOptions, made = madeWith(o)): QemuResource => ({
  dir: '/state/web',
  disk: '/state/web/disk.qcow2',
  serialLog: '/state/web/serial.log',
  pidFile: '/state/web/qemu.pid',
  qmpSocket: '/run/web/qmp.sock',
  runtimeDir: '/run/web',
  sshPort: 2222,
  hostKey: null,
  address: '10.77.0.10',
  image: 'debian-bookworm-0123abcd',
  accel: 'tcg',
  bootTimeout: o.bootTimeout,
  argv: ['qemu-system-x86_64', '-m', String(o.memory), '-smp', String(o.cpus)],
  madeWith: made,
})

const changes = (existing: QemuResource, now: QemuOptions) =>
  qemu.optionChanges!({ name: 'web', options: now, existing })

describe('qemu option changes on an existing machine', () => {
  it('none when the options are those it was made with, or only bootTimeout changed', () => {
    const made = options({ memory: 512, ports: { '80': 8080, '443': 8443 } })
    expect(changes(resource(made), made)).toEqual([])
    expect(changes(resource(made), options({ memory: 512, ports: { '443': 8443, '80': 8080 } }))).toEqual([])
    expect(
      changes(resource(made), options({ memory: 512, ports: { '80': 8080, '443': 8443 }, bootTimeout: 60 })),
    ).toEqual([])
  })

  it('each hardware, disk, image, acceleration, port or argument change needs re-creating, with old and new value', () => {
    const made = resource(options())
    const now = options({
      memory: 2048,
      cpus: 2,
      diskSize: '16G',
      image: 'https://example.test/disk.qcow2',
      imageSha256: 'a'.repeat(64),
      accel: 'tcg',
      ports: { '80': 8080 },
      extraArgs: ['-device', 'virtio-rng-pci'],
    })
    const told = changes(made, now)
    expect(told.map((c) => [c.option, c.from, c.to])).toEqual([
      ['memory', 1024, 2048],
      ['cpus', 1, 2],
      ['diskSize', '8G', '16G'],
      ['image', 'debian', 'https://example.test/disk.qcow2'],
      ['imageSha256', null, 'a'.repeat(64)],
      ['accel', 'auto', 'tcg'],
      ['ports', null, { '80': 8080 }],
      ['extraArgs', null, ['-device', 'virtio-rng-pci']],
    ])
    expect(told.every((c) => c.applies === 'recreate' && c.code === 'E_QEMU_RECREATE')).toBe(true)
  })

  it('a port dropped from the map is a change too', () => {
    const made = resource(options({ ports: { '80': 8080, '443': 8443 } }))
    expect(changes(made, options({ ports: { '80': 8080 } }))).toMatchObject([
      { option: 'ports', from: { '80': 8080, '443': 8443 }, to: { '80': 8080 }, applies: 'recreate' },
    ])
  })

  it('nothing for a machine recorded before what it was made with was kept', () => {
    const old = resource(options()) as Partial<QemuResource>
    delete old.madeWith
    expect(changes(old as QemuResource, options({ memory: 4096 }))).toEqual([])
  })
})
