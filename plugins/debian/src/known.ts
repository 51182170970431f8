/**
 * What the plan's reads already tell about where its files go: which
 * directories exist, and the ids of the owners that stat named there. A run
 * that writes into existing directories, as users and groups the host already
 * has, then needs no round trip of its own before its uploads (writes.ts):
 * on a busy host that is a shell and three processes fewer per change.
 */
import type { Action } from './actions.js'
import type { FileFact } from './model.js'

export interface Known {
  directories: string[]
  /** User name -> uid, group name -> gid, as stat named them. */
  users: Record<string, string>
  groups: Record<string, string>
}

/** The directory a file is written into. */
export const parentOf = (file: string): string => file.replace(/\/[^/]*$/, '') || '/'

/** stat prints this for an id the host has no name for. */
const NO_NAME = 'UNKNOWN'

/** From every path the plan read: the directories among them and each owner's id. */
export function knownFrom(facts: Record<string, FileFact>): Known {
  const known: Known = { directories: [], users: {}, groups: {} }
  for (const [file, fact] of Object.entries(facts)) {
    if (fact.kind === 'directory') known.directories.push(file)
    if (fact.owner && fact.owner !== NO_NAME && fact.uid) known.users[fact.owner] = fact.uid
    if (fact.group && fact.group !== NO_NAME && fact.gid) known.groups[fact.group] = fact.gid
  }
  return known
}

const ACCOUNT_CHANGES = new Set<Action['kind']>(['user-add', 'user-remove', 'group-add', 'group-remove'])

/** `known`, unless the run itself adds or removes users or groups: then ids are read again when files are written. */
export const stillKnown = (known: Known | undefined, actions: Action[]): Known | undefined =>
  actions.some((a) => ACCOUNT_CHANGES.has(a.kind)) ? undefined : known
