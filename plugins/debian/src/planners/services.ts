/** Services: enabled, disabled, or restarted when a file they watch changed; those guix-ops enabled are disabled when unwanted. */
import type { Desired, Facts, Managed } from '../model.js'
import { emptyPlan, type KindPlan } from './kind.js'

export function planServices(
  desired: Desired,
  facts: Facts,
  before: Managed,
  triggered: Set<string>,
): KindPlan<string[]> {
  const plan = emptyPlan<string[]>([])
  for (const [unit, want] of Object.entries(desired.services)) {
    const enabled = facts.services[unit] === 'enabled'
    const restart = want.restartOn.some((f) => triggered.has(f))
    if (want.enable && !enabled) {
      plan.actions.push({ kind: 'service-enable', unit })
      // Installing its package may have started it already, before its config was written.
      if (restart) plan.actions.push({ kind: 'service-restart', unit })
      plan.changes.push({ action: 'create', subject: `service ${unit}`, detail: 'enable and start' })
    } else if (!want.enable && enabled) {
      plan.actions.push({ kind: 'service-disable', unit })
      plan.changes.push({ action: 'update', subject: `service ${unit}`, detail: 'disable and stop' })
    } else if (want.enable && restart) {
      plan.actions.push({ kind: 'service-restart', unit })
      plan.changes.push({ action: 'update', subject: `service ${unit}`, detail: 'restart' })
    }
    if (want.enable && (!enabled || before.services.includes(unit))) plan.managed.push(unit)
  }
  for (const unit of before.services) {
    if (unit in desired.services) continue
    plan.removals.push({ kind: 'service-disable', unit })
    plan.removed.push({ action: 'delete', subject: `service ${unit}` })
  }
  return plan
}
