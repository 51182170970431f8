/** What the planner of one kind of resource (files, users, services...) adds to a plan. */
import type { PlannedChange } from '@guix-ops/plugin-api'
import type { Action } from '../actions.js'
import type { Facts } from '../model.js'

export interface KindPlan<M = undefined> {
  /** Steps that create or update; kinds run in the order the plan lists them. */
  actions: Action[]
  changes: PlannedChange[]
  /** Steps that remove what guix-ops created and the config no longer wants; kinds run in reverse order. */
  removals: Action[]
  /** One `delete` change per removal. */
  removed: PlannedChange[]
  /** What guix-ops manages of this kind once the plan is applied. */
  managed: M
}

export function emptyPlan<M>(managed: M): KindPlan<M> {
  return { actions: [], changes: [], removals: [], removed: [], managed }
}

/** Whether a file or directory on the host differs from what is wanted in existence, mode or owner. */
export const differs = (
  fact: Facts['files'][string] | undefined,
  want: { mode: string; owner: string; group?: string },
): boolean =>
  !fact?.exists ||
  fact.mode?.padStart(4, '0') !== want.mode ||
  fact.owner !== want.owner ||
  (want.group !== undefined && fact.group !== want.group)
