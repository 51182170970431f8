/** Packages: the missing ones installed in one step; those guix-ops installed and no longer wanted purged in one. */
import type { Desired, Facts, Managed } from '../model.js'
import { emptyPlan, type KindPlan } from './kind.js'

export function planPackages(desired: Desired, facts: Facts, before: Managed): KindPlan<string[]> {
  const missing = desired.packages.filter((p) => !facts.installed.includes(p))
  const plan = emptyPlan(desired.packages.filter((p) => missing.includes(p) || before.packages.includes(p)))
  if (missing.length > 0) {
    plan.actions.push({ kind: 'packages-install', names: missing })
    for (const p of missing) plan.changes.push({ action: 'create', subject: `package ${p}` })
  }
  const purge = before.packages.filter((p) => !desired.packages.includes(p))
  if (purge.length > 0) {
    plan.removals.push({ kind: 'packages-purge', names: purge })
    plan.removed.push({ action: 'delete', subject: `package ${purge.join(', package ')}` })
  }
  return plan
}
