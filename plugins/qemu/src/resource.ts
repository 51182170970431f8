/** What the qemu platform records in state for a machine: enough to find, start and remove it again. */
import type { JsonValue } from '@guix-ops/plugin-api'
import type { MadeWith } from './made.js'

export interface QemuResource {
  [key: string]: JsonValue
  /** The machine's directory in the state dir: disk overlay, serial log, pid file. */
  dir: string
  disk: string
  serialLog: string
  pidFile: string
  /** QMP control socket, in a short private runtime dir. */
  qmpSocket: string
  runtimeDir: string
  /** SSH is forwarded from this port on 127.0.0.1. */
  sshPort: number
  /** The VM's SSH host key as it printed it on its serial console. */
  hostKey: string | null
  /** Its address on the deployment's private network, what other machines use. */
  address: string
  /** The base image the overlay sits on. */
  image: string
  accel: 'kvm' | 'tcg'
  /** Seconds a boot may take before the machine counts as unreachable. */
  bootTimeout: number
  /** The QEMU command line it runs with; `start` boots it again the same way. */
  argv: string[]
  /** The options it was made with; missing from state written before it was kept (nothing is then told). */
  madeWith: MadeWith | null
}
