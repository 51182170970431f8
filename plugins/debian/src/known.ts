/**
 * What the plan's reads already tell about where its files go: which
 * directories exist, and whether `root` (user and group) is id 0 there. A
 * run that writes into existing directories, as root, then needs no round
 * trip of its own before its uploads (writes.ts): on a busy host that is a
 * shell and three processes fewer per change. Other owners are still looked
 * up by name with getent, as chown would: stat names an id by looking it up
 * the other way, and where two name services both have a name, with
 * different ids, the two lookups can disagree.
 */
import type { Action } from './actions.js'
import type { FileFact } from './model.js'

export interface Known {
  directories: string[]
  /** User name -> uid, group name -> gid: only the superuser's, id 0 on every host. */
  users: Record<string, string>
  groups: Record<string, string>
}

/** The directory a file is written into. */
export const parentOf = (file: string): string => file.replace(/\/[^/]*$/, '') || '/'

/** From every path the plan read: the directories among them, and the name stat gave id 0. */
export function knownFrom(facts: Record<string, FileFact>): Known {
  const known: Known = { directories: [], users: {}, groups: {} }
  for (const [file, fact] of Object.entries(facts)) {
    if (fact.kind === 'directory') known.directories.push(file)
    if (fact.owner === 'root' && fact.uid === '0') known.users.root = '0'
    if (fact.group === 'root' && fact.gid === '0') known.groups.root = '0'
  }
  return known
}

const ACCOUNT_CHANGES = new Set<Action['kind']>(['user-add', 'user-remove', 'group-add', 'group-remove'])

/** `known`, unless the run itself adds or removes users or groups: then ids are read again when files are written. */
export const stillKnown = (known: Known | undefined, actions: Action[]): Known | undefined =>
  actions.some((a) => ACCOUNT_CHANGES.has(a.kind)) ? undefined : known
