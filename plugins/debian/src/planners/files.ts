/**
 * Files: written when their content, mode or owner differ. A file that was
 * there before guix-ops first wrote it is kept aside first, and restored
 * when it leaves the config. Whether a file was taken over comes from the
 * host's own marks first (backups.ts): a deploy that wrote files and then
 * failed left no record.
 */
import { fileBytes } from '../content.js'
import type { Desired, Facts, Managed } from '../model.js'
import { differs, emptyPlan, type KindPlan } from './kind.js'

export interface FilesPlan extends KindPlan<Managed['files']> {
  /** The files this plan writes, which services and commands may react to. */
  written: Set<string>
}

/** Whether a file existed before guix-ops first wrote it: the host's mark, else the last record, else what is there now. */
function wasThere(file: string, taken: NonNullable<Facts['taken']>, before: Managed, exists: boolean): boolean {
  const mark = taken[file]
  if (mark) return mark === 'original'
  return before.files[file]?.preexisting ?? exists
}

export function planFiles(
  desired: Desired,
  facts: Facts,
  before: Managed,
  sha256: (bytes: Uint8Array) => string,
): FilesPlan {
  const plan: FilesPlan = { ...emptyPlan<Managed['files']>({}), written: new Set() }
  const taken = facts.taken ?? {}
  for (const [file, want] of Object.entries(desired.files)) {
    const fact = facts.files[file]
    plan.managed[file] = { preexisting: wasThere(file, taken, before, fact?.exists === true) }
    // The host's mark, not the last record, says whether the original is kept already.
    if (!before.files[file] && !taken[file]) plan.actions.push({ kind: 'file-take', path: file })
    if (!differs(fact, want) && fact?.sha256 === sha256(fileBytes(want))) continue
    plan.actions.push({ kind: 'file-write', path: file, file: want })
    plan.changes.push({ action: fact?.exists ? 'update' : 'create', subject: `file ${file}` })
    plan.written.add(file)
  }
  // What the last record manages, and what the host's marks say was taken over since (a deploy that never recorded).
  for (const file of new Set([...Object.keys(before.files), ...Object.keys(taken)])) {
    if (file in desired.files) continue
    const restore = wasThere(file, taken, before, false)
    plan.removals.push({ kind: 'file-remove', path: file, restore })
    plan.removed.push({ action: 'delete', subject: `file ${file}${restore ? ' (restore the original)' : ''}` })
  }
  return plan
}
