/** The QEMU command line of a machine: one place that says how a guix-ops VM is put together. */
import type { ImageInfo } from '../images/cache.js'
import type { Lease } from '../network/private-network.js'
import type { QemuOptions } from '../options.js'

/** The MAC of the user-mode uplink; the image's network config matches on it. */
export const UPLINK_MAC = '52:54:00:12:34:56'

/** QEMU option values separate on commas; a comma inside a path is written twice. */
const value = (text: string): string => text.replaceAll(',', ',,')

export interface VmLayout {
  name: string
  disk: string
  serialLog: string
  pidFile: string
  qmpSocket: string
  switchSocket: string
  seed?: string
}

export function qemuCommandLine(args: {
  options: QemuOptions
  image: ImageInfo
  layout: VmLayout
  accel: 'kvm' | 'tcg'
  sshPort: number
  lease: Lease
  hostname: string
  publicKey: string
}): string[] {
  const { options, image, layout, lease } = args
  const forwards = [`hostfwd=tcp:127.0.0.1:${args.sshPort}-:22`]
  for (const [guest, host] of Object.entries(options.ports ?? {}))
    forwards.push(`hostfwd=tcp:127.0.0.1:${host}-:${guest}`)
  const argv = [
    'qemu-system-x86_64',
    '-name',
    layout.name,
    '-machine',
    `q35,accel=${args.accel}`,
    '-cpu',
    args.accel === 'kvm' ? 'host' : 'max',
    '-m',
    String(options.memory),
    '-smp',
    String(options.cpus),
    '-nodefaults',
    '-display',
    'none',
    // Guest power-off leaves QEMU running, so a graceful reboot is power-off, reset, continue.
    '-no-shutdown',
    '-drive',
    `file=${value(layout.disk)},if=virtio,format=qcow2,discard=unmap`,
    '-netdev',
    `user,id=uplink,restrict=on,${forwards.join(',')}`,
    '-device',
    `virtio-net-pci,netdev=uplink,mac=${UPLINK_MAC}`,
    '-netdev',
    `stream,id=private,server=off,addr.type=unix,addr.path=${value(layout.switchSocket)}`,
    '-device',
    `virtio-net-pci,netdev=private,mac=${lease.mac}`,
    '-chardev',
    `file,id=serial,path=${value(layout.serialLog)},append=on`,
    '-serial',
    'chardev:serial',
    '-qmp',
    `unix:${value(layout.qmpSocket)},server=on,wait=off`,
    '-pidfile',
    layout.pidFile,
    '-daemonize',
  ]
  if (image.kernel) {
    const key = Buffer.from(args.publicKey).toString('base64')
    const cmdline = [
      `root=${image.root ?? '/dev/vda'}`,
      'rw',
      'console=ttyS0',
      `guixops.hostname=${args.hostname}`,
      `guixops.key=${key}`,
      `guixops.net=${lease.cidr}`,
      `guixops.mac=${lease.mac}`,
    ]
    argv.push('-kernel', image.kernel, '-initrd', image.initrd!, '-append', cmdline.join(' '))
  }
  if (layout.seed) argv.push('-drive', `file=${value(layout.seed)},if=virtio,format=raw,readonly=on`)
  argv.push(...(options.extraArgs ?? []))
  return argv
}
