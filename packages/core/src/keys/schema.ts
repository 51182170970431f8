/**
 * The shape of a machine's `keys`: checked with the rest of the config,
 * before anything is read, run or contacted. Messages name the machine and
 * the key, and never show a key's value.
 */
import type { KeySpec } from '@guix-ops/plugin-api'
import type * as Zod from 'zod'
import { joinPath } from '../config/describe.js'
import type { IssueList } from '../config/issues.js'
import { issuePath, rephrase, valueAt } from '../config/schema-issues.js'
import { zod } from '../registry/zod.js'
import { DEST_DIR, KEY_NAME, withoutDotParts } from './names.js'

export { KEY_NAME } from './names.js'

/** A user or group name as useradd(8) accepts it by default. */
const ACCOUNT = /^[a-z_][a-z0-9_-]*\$?$/
const MODE = /^0?[0-7]{3}$/

/** A key as validated, with its defaults filled in. */
export interface KeyOptions {
  name: string
  source: { text: string } | { file: string } | { command: string[] }
  destDir: string
  user: string
  group: string
  /** Octal, four digits: `0600`. */
  permissions: string
  uploadAt: 'pre-activation' | 'post-activation'
}

let schema: Zod.ZodType | undefined

function keySchema(): Zod.ZodType {
  const z = zod()
  schema ??= z
    .strictObject({
      // No value in the message: this one is a secret.
      text: z.string({ error: 'expected a string (the value is not shown)' }).optional(),
      file: z.string().min(1).optional(),
      // Nor here: its arguments may carry what it decrypts with.
      command: z
        .array(z.string(), { error: 'expected an argument list like ["pass", "show", "db"] (the value is not shown)' })
        .min(1, 'expected a non-empty argument list like ["pass", "show", "db"]')
        .optional(),
      destDir: z
        .string()
        .regex(DEST_DIR, 'expected an absolute path of letters, digits, ".", "_", "-" and "/"')
        .refine(withoutDotParts, 'must not contain ".." or "."')
        .optional(),
      user: z.string().regex(ACCOUNT, 'expected a user name').optional(),
      group: z.string().regex(ACCOUNT, 'expected a group name').optional(),
      permissions: z.string().regex(MODE, 'expected an octal mode like "0600" or "0640"').optional(),
      uploadAt: z.enum(['pre-activation', 'post-activation']).optional(),
    })
    .refine((key) => [key.text, key.file, key.command].filter((s) => s !== undefined).length === 1, {
      message: 'give exactly one of text, file or command',
    })
  return schema
}

/** Checks `keys` of one machine; adds an issue per problem, naming the key and field. */
export function checkKeys(issues: IssueList, keys: unknown, at: string, machine: string): void {
  if (keys === undefined) return
  if (typeof keys !== 'object' || keys === null || Array.isArray(keys)) {
    // Only the kind: a bare string here is most likely the secret itself.
    issues.field(at, `expected an object of keys by name, got ${kindOf(keys)}`, { machine })
    return
  }
  for (const [name, key] of Object.entries(keys)) {
    const keyAt = joinPath(at, name)
    if (!KEY_NAME.test(name)) {
      issues.field(keyAt, 'invalid key name', {
        machine,
        suggestion: 'use letters, digits, ".", "_" and "-", starting with a letter or digit (at most 63)',
      })
    }
    const result = keySchema().safeParse(key)
    for (const issue of result.success ? [] : result.error.issues) {
      const segments = issuePath(issue)
      const secret = segments[0] === 'text' || segments[0] === 'command' || typeof key !== 'object'
      const message = secret ? issue.message : rephrase(issue.message, valueAt(key, segments))
      issues.field(joinPath(keyAt, ...segments), message, { machine })
    }
  }
}

function kindOf(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  return `a ${typeof value}`
}

/** The keys of a machine whose config passed `checkKeys`, defaults filled in. */
export function keyOptions(keys: Record<string, KeySpec> | undefined): KeyOptions[] {
  return Object.entries(keys ?? {}).map(([name, key]) => ({
    name,
    source: sourceOf(key),
    destDir: key.destDir ?? '/run/keys',
    user: key.user ?? 'root',
    group: key.group ?? 'root',
    permissions: (key.permissions ?? '0600').padStart(4, '0'),
    uploadAt: key.uploadAt ?? 'pre-activation',
  }))
}

function sourceOf(key: KeySpec): KeyOptions['source'] {
  if (key.text !== undefined) return { text: key.text }
  if (key.file !== undefined) return { file: key.file }
  return { command: key.command ?? [] }
}
