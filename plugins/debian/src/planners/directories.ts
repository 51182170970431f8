/** Directories: created or corrected; those guix-ops created are removed deepest first (and only if empty, see apply). */
import type { Desired, Facts, Managed } from '../model.js'
import { differs, emptyPlan, type KindPlan } from './kind.js'

export function planDirectories(desired: Desired, facts: Facts, before: Managed): KindPlan<string[]> {
  const plan = emptyPlan<string[]>([])
  for (const [dir, want] of Object.entries(desired.directories)) {
    const fact = facts.directories[dir]
    if (differs(fact, want)) {
      plan.actions.push({ kind: 'directory', path: dir, ...want })
      plan.changes.push({ action: fact?.exists ? 'update' : 'create', subject: `directory ${dir}` })
    }
    if (!fact?.exists || before.directories.includes(dir)) plan.managed.push(dir)
  }
  const gone = before.directories.filter((d) => !(d in desired.directories)).sort((a, b) => b.length - a.length)
  for (const dir of gone) {
    plan.removals.push({ kind: 'directory-remove', path: dir })
    plan.removed.push({ action: 'delete', subject: `directory ${dir}` })
  }
  return plan
}
