/**
 * Whether the generation in force describes what a plan would record. A
 * deploy interrupted after its writes leaves the host as wanted and the
 * record as it was: the retry finds nothing to change on the host, yet
 * must record the generation, or `check` compares against the old config
 * and the files it took over are in no record's managed set.
 */
import type { PlannedChange } from '@guix-ops/plugin-api'
import type { Desired, GenerationRecord, Managed } from './model.js'

/** The one change of a plan that only records: the host is as wanted already. */
export const RECORD_CHANGE: PlannedChange = {
  action: 'update',
  subject: 'generation record',
  detail: 'the host already matches; recording it',
}

/** JSON with its object keys sorted (and, for sets, its arrays): one text whatever order a record was written in. */
function canonical(value: unknown, sets: boolean): string {
  if (Array.isArray(value)) {
    const items = value.map((item) => canonical(item, sets))
    return `[${(sets ? items.sort() : items).join(',')}]`
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => Number(a > b) - Number(a < b))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v, sets)}`).join(',')}}`
  }
  return JSON.stringify(value)
}

export function describes(record: GenerationRecord | undefined, desired: Desired, managed: Managed): boolean {
  if (!record) return false
  // The order of a config's commands matters; what guix-ops manages is a set.
  return (
    canonical(record.desired, false) === canonical(desired, false) &&
    canonical(record.managed, true) === canonical(managed, true)
  )
}
