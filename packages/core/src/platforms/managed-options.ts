/** Options of `platform: { type: 'managed', ... }`: an existing host reached over SSH. */
import type { StandardSchemaV1 } from '@guix-ops/plugin-api'
import { z } from 'zod'

/**
 * A host name or an IPv4/IPv6 address, nothing else: the name reaches OpenSSH's
 * command line and its ProxyCommand, where a quote or a `;` must never arrive.
 */
const HOST = /^([A-Za-z0-9][A-Za-z0-9._-]*|[0-9A-Fa-f:.]+)$/

const schema = z.strictObject({
  host: z.string().regex(HOST, { message: 'expected a host name or an IP address' }),
  port: z.number().int().min(1).max(65535).default(22),
  user: z
    .string()
    .regex(/^[a-z_][a-z0-9_-]*\$?$/, { message: 'expected a user name' })
    .default('root'),
  /** Private key file (absolute, or `~/...`); the SSH agent when absent. */
  identity: z.string().min(1).optional(),
  /** The host key to expect (`ssh-ed25519 AAAA...`); pinned on first contact when absent. */
  hostKey: z
    .string()
    .regex(/^(ssh-ed25519|ecdsa-sha2-nistp(256|384|521)|ssh-rsa|rsa-sha2-(256|512)) [A-Za-z0-9+/]+={0,2}( .*)?$/, {
      message: 'expected an OpenSSH public key line like "ssh-ed25519 AAAA..."',
    })
    .optional(),
  /** Run commands through `sudo -n` when `user` is not root. */
  sudo: z.boolean().default(false),
  /** Reach the host through another (like `ssh -J`): `user@host:port`. */
  jump: z
    .string()
    .regex(/^([a-z_][a-z0-9_-]*@)?[A-Za-z0-9][A-Za-z0-9._-]*(:[0-9]+)?$/, { message: 'expected "user@host:port"' })
    .optional(),
})

export interface ManagedOptions {
  host: string
  port: number
  user: string
  identity?: string | undefined
  hostKey?: string | undefined
  sudo: boolean
  jump?: string | undefined
}

export const managedOptions: StandardSchemaV1<unknown, ManagedOptions> = schema
