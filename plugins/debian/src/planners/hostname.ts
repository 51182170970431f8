/** The host name: set when it differs; never removed. */
import type { Desired, Facts } from '../model.js'
import { emptyPlan, type KindPlan } from './kind.js'

export function planHostname(desired: Desired, facts: Facts): KindPlan {
  const plan = emptyPlan(undefined)
  if (desired.hostname && facts.hostname !== desired.hostname) {
    plan.actions.push({ kind: 'hostname', name: desired.hostname })
    plan.changes.push({
      action: 'update',
      subject: 'hostname',
      detail: `${facts.hostname ?? '?'} -> ${desired.hostname}`,
    })
  }
  return plan
}
