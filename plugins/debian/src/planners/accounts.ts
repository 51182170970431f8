/** Groups and users: created when missing; only those guix-ops created are managed, and removed when unwanted. */
import type { Desired, Facts, Managed } from '../model.js'
import { emptyPlan, type KindPlan } from './kind.js'

export function planGroups(desired: Desired, facts: Facts, before: Managed): KindPlan<string[]> {
  const plan = emptyPlan<string[]>([])
  for (const name of desired.groups) {
    if (!facts.groups.includes(name)) {
      plan.actions.push({ kind: 'group-add', name })
      plan.changes.push({ action: 'create', subject: `group ${name}` })
      plan.managed.push(name)
    } else if (before.groups.includes(name)) plan.managed.push(name)
  }
  for (const name of before.groups) {
    if (desired.groups.includes(name)) continue
    plan.removals.push({ kind: 'group-remove', name })
    plan.removed.push({ action: 'delete', subject: `group ${name}` })
  }
  return plan
}

export function planUsers(desired: Desired, facts: Facts, before: Managed): KindPlan<string[]> {
  const plan = emptyPlan<string[]>([])
  for (const [name, user] of Object.entries(desired.users)) {
    if (!facts.users.includes(name)) {
      plan.actions.push({ kind: 'user-add', name, user })
      plan.changes.push({ action: 'create', subject: `user ${name}` })
      plan.managed.push(name)
    } else if (before.users.includes(name)) plan.managed.push(name)
  }
  for (const name of before.users) {
    if (name in desired.users) continue
    plan.removals.push({ kind: 'user-remove', name })
    plan.removed.push({ action: 'delete', subject: `user ${name}` })
  }
  return plan
}
