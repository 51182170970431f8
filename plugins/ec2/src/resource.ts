/**
 * What the ec2 platform records in state for a machine: ids to find it again
 * and what guix-ops made for it, so destroy removes those and only those.
 * No credentials: they come from the AWS chain on every call.
 */
import type { JsonValue } from '@guix-ops/plugin-api'
import type { MadeWith } from './made.js'

export interface Ec2Resource {
  [key: string]: JsonValue
  region: string
  instanceId: string
  /** The idempotency token it was launched with (RunInstances' ClientToken). */
  clientToken: string
  user: string
  address: 'public' | 'private'
  privateIp: string
  publicIp: string | null
  /** Its SSH host key as cloud-init printed it on the console, when it did. */
  hostKey: string | null
  /** The per-deployment security group guix-ops made, if it made one. */
  createdGroupId: string | null
  /** The key pair guix-ops imported, if it did. */
  createdKeyPair: string | null
  /** The elastic IP guix-ops allocated, if it did. */
  allocationId: string | null
  /** Private key to log in with, when the user named their own key pair. */
  identity: string | null
  bootTimeout: number
  /** The options its instance was made with (its type as last changed); missing from state written before it was kept. */
  madeWith: MadeWith | null
}
