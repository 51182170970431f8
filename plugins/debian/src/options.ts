/** Options of `system: { type: 'debian', ... }`: a declarative Debian configuration. */
import type { StandardSchemaV1 } from '@guix-ops/plugin-api'
import { z } from 'zod'
import { normalPath, pathProblem } from './paths.js'

const pathSpelling = z.string().regex(/^\/[^\0]*$/, { message: 'expected an absolute path' })
const absolutePath = pathSpelling
  .superRefine((file, ctx) => {
    const problem = pathProblem(file)
    if (problem) ctx.addIssue({ code: 'custom', message: problem })
  })
  .transform(normalPath)

/** Paths as keys: refused when two spellings name one path (the second would silently win), then written one way. */
function pathRecord<T extends z.ZodType>(value: T, kind: 'file' | 'directory') {
  return z
    .record(pathSpelling, value)
    .superRefine((record, ctx) => {
      const seen = new Map<string, string>()
      for (const key of Object.keys(record)) {
        const problem =
          pathProblem(key) ?? (kind === 'file' && key.endsWith('/') ? 'a file path may not end with "/"' : undefined)
        if (problem) ctx.addIssue({ code: 'custom', message: problem, path: [key] })
        const other = seen.get(normalPath(key))
        if (other !== undefined)
          ctx.addIssue({
            code: 'custom',
            message: `"${other}" and "${key}" are the same path: give it once`,
            path: [key],
          })
        seen.set(normalPath(key), key)
      }
    })
    .transform((record) => Object.fromEntries(Object.entries(record).map(([key, v]) => [normalPath(key), v])))
}
const mode = z.string().regex(/^[0-7]{3,4}$/, { message: 'expected an octal mode like "0644"' })
const unixName = z.string().regex(/^[a-z_][a-z0-9_-]*\$?$/, { message: 'expected a user or group name' })

const fileSpec = z.union([
  z.string(),
  z
    .strictObject({
      content: z.string().optional(),
      /** A local file to copy, relative to the config file. */
      source: z.string().optional(),
      mode: mode.optional(),
      owner: unixName.optional(),
      group: unixName.optional(),
    })
    .refine((f) => (f.content === undefined) !== (f.source === undefined), {
      message: 'give exactly one of content or source',
    }),
])

const schema = z.strictObject({
  hostname: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, { message: 'expected a host name' })
    .optional(),
  packages: z
    .array(z.string().regex(/^[a-z0-9][a-z0-9+.-]+$/, { message: 'expected a Debian package name' }))
    .default([]),
  /** `mirror`: the target runs apt-get; `push`: packages are fetched here and copied over SSH. */
  packageSource: z.enum(['mirror', 'push']).default('mirror'),
  groups: z.array(unixName).default([]),
  users: z
    .record(
      unixName,
      z.strictObject({
        groups: z.array(unixName).optional(),
        authorizedKeys: z.array(z.string()).optional(),
        shell: absolutePath.optional(),
        home: absolutePath.optional(),
        system: z.boolean().optional(),
      }),
    )
    .default({}),
  files: pathRecord(fileSpec, 'file').default({}),
  directories: pathRecord(z.strictObject({ mode: mode.optional(), owner: unixName.optional() }), 'directory').default(
    {},
  ),
  services: z
    .record(
      z.string().min(1),
      z.strictObject({
        enable: z.boolean().default(true),
        /** Files whose change restarts the service. */
        restartOn: z.array(absolutePath).optional(),
      }),
    )
    .default({}),
  /** Seconds to wait for guix-ops to connect afresh after a change before the host restores its files. */
  confirmTimeout: z.number().int().min(5).max(3600).default(90),
  /** false: no snapshot and no timer (hosts without systemd); a change that cuts guix-ops off stays. */
  autoRollback: z.boolean().default(true),
  /** Commands (argument arrays) run after a change to any of `on`, or on every change. */
  commands: z
    .array(z.strictObject({ run: z.array(z.string()).min(1), on: z.array(absolutePath).optional() }))
    .default([]),
})

export type DebianFile =
  | string
  | {
      content?: string | undefined
      source?: string | undefined
      mode?: string | undefined
      owner?: string | undefined
      group?: string | undefined
    }

/** The options once validated, defaults filled in. */
export interface DebianOptions {
  hostname?: string | undefined
  packages: string[]
  packageSource: 'mirror' | 'push'
  groups: string[]
  users: Record<
    string,
    {
      groups?: string[] | undefined
      authorizedKeys?: string[] | undefined
      shell?: string | undefined
      home?: string | undefined
      system?: boolean | undefined
    }
  >
  files: Record<string, DebianFile>
  directories: Record<string, { mode?: string | undefined; owner?: string | undefined }>
  services: Record<string, { enable: boolean; restartOn?: string[] | undefined }>
  commands: { run: string[]; on?: string[] | undefined }[]
  confirmTimeout: number
  autoRollback: boolean
}

export const debianOptions: StandardSchemaV1<unknown, DebianOptions> = schema
