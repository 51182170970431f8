/** Options of `platform: { type: 'lxc', ... }`, checked when a deployment is created. */
import type { StandardSchemaV1 } from '@guix-ops/plugin-api'
import { z } from 'zod'
import { hostArch, hostCodename, hostCpus, hostMemoryMiB, runnableArchs } from './host-facts.js'

/** Debian releases `lxc-create -t debian` can build here. */
export const RELEASES = ['bullseye', 'bookworm', 'trixie'] as const
export type Release = (typeof RELEASES)[number]

const defaultRelease: Release = RELEASES.find((r) => r === hostCodename()) ?? 'bookworm'

/** A path LXC's mount entries can carry: absolute, no whitespace (the entry is fstab-like), no `..`. */
const mountPath = (what: string) =>
  z
    .string()
    .regex(/^\/[^\s,]*$/, { message: `expected an absolute ${what} path without spaces or commas` })
    .refine((p) => !p.split('/').includes('..'), { message: `the ${what} path must not contain ".."` })

const mount = z.strictObject({
  /** A directory on this host. */
  source: mountPath('host'),
  /** Where it appears in the container. */
  target: mountPath('container').refine((p) => p !== '/', { message: 'cannot mount over the root directory' }),
  readOnly: z.boolean().default(false),
})

const port = z.number().int().min(1).max(65535)

const schema = z.strictObject({
  release: z
    .enum(RELEASES, { message: `unknown Debian release; expected one of ${RELEASES.join(', ')}` })
    .default(defaultRelease),
  arch: z
    .string()
    .refine((a) => runnableArchs.includes(a), {
      message: `this host (${hostArch}) runs ${runnableArchs.join(' or ')} containers only`,
    })
    .default(hostArch),
  /** Run the container in a user namespace (root inside is not root outside). */
  unprivileged: z.boolean().default(false),
  /** Memory limit in MiB; none when left out. */
  memory: z
    .number()
    .int()
    .min(64)
    .refine((m) => m <= hostMemoryMiB, { message: `is more than this host has (${hostMemoryMiB} MiB)` })
    .optional(),
  /** CPU time, in whole CPUs; no limit when left out. */
  cpus: z
    .number()
    .int()
    .min(1)
    .refine((c) => c <= hostCpus, { message: `is more than this host has (${hostCpus})` })
    .optional(),
  mounts: z.array(mount).max(32).optional(),
  /** Container TCP port -> port on this host's 127.0.0.1. */
  ports: z
    .record(
      z
        .string()
        .regex(/^[1-9][0-9]{0,4}$/, { message: 'expected a container port number' })
        .refine((p) => Number(p) <= 65535, { message: 'expected a container port number (1 to 65535)' }),
      port,
    )
    .refine((p) => new Set(Object.values(p)).size === Object.values(p).length, {
      message: 'two container ports map to the same host port',
    })
    .optional(),
  /** Start the container when the host boots (lxc-autostart). */
  autostart: z.boolean().default(false),
})

export interface LxcMount {
  source: string
  target: string
  readOnly: boolean
}

/** The options once validated, defaults filled in. */
export interface LxcOptions {
  release: Release
  arch: string
  unprivileged: boolean
  memory?: number | undefined
  cpus?: number | undefined
  mounts?: LxcMount[] | undefined
  ports?: Record<string, number> | undefined
  autostart: boolean
}

export const lxcOptions: StandardSchemaV1<unknown, LxcOptions> = schema
