/** What the lxc platform records in state for a machine: enough to find, start and remove it again. */
import type { JsonValue } from '@guix-ops/plugin-api'
import type { MadeWith } from './made.js'

export interface LxcResource {
  [key: string]: JsonValue
  /** The LXC container's name: the deployment's id and the machine's name. */
  container: string
  /** The base container its overlay sits on. */
  base: string
  /** Its address on the deployment's private network, what other machines use. */
  address: string
  /** Its address on lxc-net's bridge, where this host reaches its sshd. */
  managementAddress: string
  /** The SSH host key, read from the container's own files when it was made. */
  hostKey: string
  /** The deployment's private network bridge. */
  bridge: string
  /** Container port -> port on this host's 127.0.0.1. */
  ports: Record<string, number>
  /** The options it was made with (limits, mounts, autostart as last applied); missing from state written before it was kept. */
  madeWith: MadeWith | null
}
