/**
 * Reading and writing the state document. Everything read from disk is
 * checked here, at the boundary; the rest of the code trusts the types.
 */
import { GuixOpsError } from '@guix-ops/plugin-api'
import { ErrorCode } from '../codes.js'
import { MigrationProblem, migrate } from './migrations.js'
import { checkStateShape, type ShapeProblem } from './shape.js'
import { type DeploymentState, STATE_KIND, STATE_VERSION } from './types.js'

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
      { where: { file, path: 'version' } },
    )
  }
  if (version > STATE_VERSION) {
    throw new GuixOpsError(
      ErrorCode.StateTooNew,
      `state file ${file} has version ${version}, written by a newer guix-ops (this one reads up to ${STATE_VERSION})`,
      { where, suggestion: 'upgrade guix-ops; this file is left untouched' },
    )
  }
  let migrated: Record<string, unknown>
  try {
    migrated = migrate(raw as Record<string, unknown>, STATE_VERSION)
  } catch (error) {
    if (error instanceof MigrationProblem) throw invalid(file, { path: error.path, message: error.message }, version)
    throw error
  }
  const problem = checkStateShape(migrated, STATE_KIND, STATE_VERSION)
  if (problem) throw invalid(file, problem, version)
  return migrated as unknown as DeploymentState
}

/** Paths are those of the migrated document; saying which version was read lets one map them back to the file. */
function invalid(file: string, problem: ShapeProblem, version: number): GuixOpsError {
  const read = version < STATE_VERSION ? ` (read as version ${version}, migrated to ${STATE_VERSION})` : ''
  return new GuixOpsError(ErrorCode.StateInvalid, `state file ${file}${read}: ${problem.path}: ${problem.message}`, {
    where: { file, path: problem.path },
    suggestion: 'restore it from a backup or an export; guix-ops will not overwrite it',
  })
}

/** Checks a document before it is written: an invalid one is never stored. */
export function serializeStateDocument(state: DeploymentState): string {
  const problem = checkStateShape(state as unknown as Record<string, unknown>, STATE_KIND, STATE_VERSION)
  if (problem) {
    throw new GuixOpsError(
      ErrorCode.StateInvalid,
      `refusing to write an invalid state document: ${problem.path}: ${problem.message}`,
    )
  }
  return `${JSON.stringify(state, null, 2)}\n`
}
