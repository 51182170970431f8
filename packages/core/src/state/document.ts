/**
 * Reading and writing the state document. Everything read from disk is
 * checked here, at the boundary; the rest of the code trusts the types.
 */
import { GuixOpsError } from '@guix-ops/plugin-api'
import { z } from 'zod'
import { ErrorCode } from '../codes.js'
import { migrate } from './migrations.js'
import { type DeploymentState, STATE_KIND, STATE_VERSION } from './types.js'

const json: z.ZodType = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(json), z.record(z.string(), json)]),
)
const jsonObject = z.record(z.string(), json)

const machine = z.object({
  platform: z.string(),
  system: z.string(),
  resource: jsonObject.optional(),
  address: z.string().optional(),
  hostKey: z.string().optional(),
  outputs: jsonObject.optional(),
  generations: z
    .array(z.object({ number: z.number().int(), createdAt: z.string(), description: z.string().optional() }))
    .optional(),
})

const document = z.object({
  kind: z.literal(STATE_KIND),
  version: z.literal(STATE_VERSION),
  id: z.string().regex(/^[0-9a-f-]{36}$/, { message: 'expected a UUID' }),
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, { message: 'expected a deployment name' }),
  configPath: z.string(),
  description: z.string().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  machines: z.record(z.string(), machine),
})

function lineAndColumn(text: string, message: string): string {
  const at = /position (\d+)/.exec(message)
  if (!at) return ''
  const before = text.slice(0, Number(at[1]))
  const line = before.split('\n').length
  return ` at line ${line}, column ${before.length - before.lastIndexOf('\n')}`
}

/** Parses, checks and migrates a state document; errors name the file. */
export function parseStateDocument(text: string, file: string): DeploymentState {
  const where = { file }
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (error) {
    throw new GuixOpsError(
      ErrorCode.StateCorrupt,
      `state file ${file} is corrupt: not valid JSON${lineAndColumn(text, (error as Error).message)}`,
      {
        where,
        suggestion: 'restore it from a backup or an export; guix-ops will not overwrite it',
      },
    )
  }
  if (
    typeof raw !== 'object' ||
    raw === null ||
    Array.isArray(raw) ||
    (raw as { kind?: unknown }).kind !== STATE_KIND
  ) {
    throw new GuixOpsError(
      ErrorCode.StateForeign,
      `${file} is not a guix-ops state file (no "kind": "${STATE_KIND}")`,
      {
        where,
        suggestion: 'move it out of the state dir; guix-ops will not overwrite it',
      },
    )
  }
  const version = (raw as { version?: unknown }).version
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    throw new GuixOpsError(
      ErrorCode.StateInvalid,
      `state file ${file}: version: expected a whole number, got ${JSON.stringify(version)}`,
      { where },
    )
  }
  if (version > STATE_VERSION) {
    throw new GuixOpsError(
      ErrorCode.StateTooNew,
      `state file ${file} has version ${version}, written by a newer guix-ops (this one reads up to ${STATE_VERSION})`,
      { where, suggestion: 'upgrade guix-ops; this file is left untouched' },
    )
  }
  const parsed = document.safeParse(migrate(raw as Record<string, unknown>, STATE_VERSION))
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    const path = issue.path
      .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
      .join('')
      .replace(/^\./, '')
    const message = issue.message.replace(/^Invalid input: /, '')
    throw new GuixOpsError(ErrorCode.StateInvalid, `state file ${file}: ${path || '(top)'}: ${message}`, {
      where: { file, path },
      suggestion: 'restore it from a backup or an export; guix-ops will not overwrite it',
    })
  }
  return parsed.data as DeploymentState
}

/** Checks a document before it is written: an invalid one is never stored. */
export function serializeStateDocument(state: DeploymentState): string {
  const checked = document.safeParse(state)
  if (!checked.success) {
    const issue = checked.error.issues[0]!
    throw new GuixOpsError(
      ErrorCode.StateInvalid,
      `refusing to write an invalid state document: ${issue.path.join('.')}: ${issue.message}`,
    )
  }
  return `${JSON.stringify(state, null, 2)}\n`
}
