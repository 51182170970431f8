/** Options of `system: { type: 'guix', ... }`: a Guix System `operating-system` deployed like `guix deploy`. */
import type { StandardSchemaV1 } from '@guix-ops/plugin-api'
import { z } from 'zod'

const scmFile = z
  .string()
  .min(1)
  .regex(/\.scm$/, { message: 'expected a .scm file' })
const scalar = z.union([z.string(), z.number().finite(), z.boolean()])

const schema = z.strictObject({
  /** A .scm file whose last expression is an `operating-system`, relative to the config file. */
  config: scmFile,
  /** A channels.scm pinning Guix itself: the target runs `guix time-machine -C` with it. */
  channels: scmFile.optional(),
  /**
   * Where the system is built: `true` here (like `guix deploy`), its closure
   * copied to the target; `false` on the target with `guix system
   * reconfigure`. Unset: here when this machine has a `guix` on its PATH.
   */
  buildLocally: z.boolean().optional(),
  /** When building here, authorize this machine's signing key on the target first (`authorize?` of guix deploy). */
  authorize: z.boolean().default(true),
  /** Directories of Guile modules the config uses (`-L`), relative to the config file. */
  loadPath: z.array(z.string().min(1)).default([]),
  /** Allow a reconfigure that moves Guix channels backwards (`--allow-downgrades`). */
  allowDowngrades: z.boolean().default(false),
  /** Before reconfiguring, refuse file systems and bootloader targets the host does not have. */
  safetyChecks: z.boolean().default(true),
  /** The system type the config is for; the host's architecture must match. */
  system: z
    .string()
    .regex(/^[a-z0-9_]+-[a-z]+$/, { message: 'expected a Guix system type like "x86_64-linux"' })
    .optional(),
  /**
   * Values the config reads from the generated module `(guix-ops parameters)`:
   * `(parameter "db-address")`. Usually computed from other machines' results.
   */
  parameters: z
    .record(
      z.string().regex(/^[A-Za-z][A-Za-z0-9_-]*$/, { message: 'expected a parameter name like "db-address"' }),
      z.union([scalar, z.array(scalar)]),
    )
    .default({}),
  /** Seconds to wait for guix-ops to connect afresh after activation before the host rolls back by itself. */
  confirmTimeout: z.number().int().min(5).max(3600).default(90),
})

export type ParameterValue = string | number | boolean | (string | number | boolean)[]

/** The options once validated, defaults filled in. */
export interface GuixOptions {
  config: string
  channels?: string | undefined
  buildLocally?: boolean | undefined
  authorize: boolean
  loadPath: string[]
  allowDowngrades: boolean
  safetyChecks: boolean
  system?: string | undefined
  parameters: Record<string, ParameterValue>
  confirmTimeout: number
}

export const guixOptions: StandardSchemaV1<unknown, GuixOptions> = schema
