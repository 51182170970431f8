/**
 * Before the first file of a run is taken over or written: the originals of
 * every file it takes over are kept, the directories of every file it writes
 * made, and the numeric ids of their owners read, in one round trip (on a
 * host that gathers commands, batch.ts). The uploads then need no command of
 * their own: an owner given as ids is set over SFTP. It runs when the files'
 * turn comes, not before: a user's home made here first would stop useradd
 * from making it theirs.
 */
import type { RemoteHost } from '@guix-ops/plugin-api'
import type { Action } from './actions.js'
import { type Known, parentOf, stillKnown } from './known.js'
import { mustRun } from './remote.js'

type FileWrite = Extract<Action, { kind: 'file-write' }>
type FileTake = Extract<Action, { kind: 'file-take' }>

/** `owner:group` as named in the config -> `uid:gid` on the host, for those the host knows. */
export type OwnerIds = Map<string, string>

export const ownerOf = (action: FileWrite): string => `${action.file.owner}:${action.file.group}`

/** `name:x:id:...` lines of getent -> the id of each key asked, by name or, for a number, by id. */
export function idsOf(lines: string, keys: string[]): Map<string, string> {
  const entries = lines
    .split('\n')
    .map((line) => line.split(':'))
    .filter((fields) => fields.length >= 3 && /^\d+$/.test(fields[2]!))
  const ids = new Map<string, string>()
  for (const key of keys) {
    const entry =
      entries.find((f) => f[0] === key) ?? (/^\d+$/.test(key) ? entries.find((f) => f[2] === key) : undefined)
    if (entry) ids.set(key, entry[2]!)
  }
  return ids
}

/**
 * The directories made with one mkdir, the owners looked up with one getent
 * per database, asked together: three processes on the host whatever the
 * number of files (each process costs milliseconds on a busy host). What the
 * plan's reads already told (`known`: directories that exist, root's ids)
 * is not asked again; when that is everything, nothing goes to the host.
 */
export async function prepareWrites(host: RemoteHost, actions: Action[], known?: Known): Promise<OwnerIds> {
  const writes = actions.filter((a): a is FileWrite => a.kind === 'file-write')
  const ids: OwnerIds = new Map()
  if (writes.length === 0) return ids
  const told = stillKnown(known, actions)
  /** `wanted`, once each, without what the plan told already. */
  const unknown = (wanted: string[], have: string[] = []) => {
    const given = new Set(have)
    return [...new Set(wanted)].filter((name) => !given.has(name))
  }
  const dirs = unknown(
    writes.map((a) => parentOf(a.path)),
    told?.directories,
  )
  const users = unknown(
    writes.map((a) => a.file.owner),
    Object.keys(told?.users ?? {}),
  )
  const groups = unknown(
    writes.map((a) => a.file.group),
    Object.keys(told?.groups ?? {}),
  )
  // getent exits 2 when a key is unknown: such an owner is set by name at upload, and fails there.
  const [, passwd, group] = await Promise.all([
    dirs.length > 0
      ? mustRun(host, ['mkdir', '-p', '--', ...dirs], 'creating the directories of the files to write')
      : undefined,
    users.length > 0 ? host.exec(['getent', 'passwd', '--', ...users]) : undefined,
    groups.length > 0 ? host.exec(['getent', 'group', '--', ...groups]) : undefined,
  ])
  const uids = new Map([...Object.entries(told?.users ?? {}), ...idsOf(passwd?.stdout ?? '', users)])
  const gids = new Map([...Object.entries(told?.groups ?? {}), ...idsOf(group?.stdout ?? '', groups)])
  for (const write of writes) {
    const uid = uids.get(write.file.owner)
    const gid = gids.get(write.file.group)
    if (uid !== undefined && gid !== undefined) ids.set(ownerOf(write), `${uid}:${gid}`)
  }
  return ids
}

export const isFileAction = (action: Action): boolean => action.kind === 'file-take' || action.kind === 'file-write'

export interface PreparedFiles {
  owners: OwnerIds
  /** The file-take actions done already. */
  taken: Set<Action>
}

/** Keeps every original (with `take`, given all their paths) and prepares every write, all asked at once. */
export async function prepareFiles(
  host: RemoteHost,
  actions: Action[],
  take: (paths: string[]) => Promise<void>,
  known?: Known,
): Promise<PreparedFiles> {
  const takes = actions.filter((a): a is FileTake => a.kind === 'file-take')
  const [owners] = await Promise.all([prepareWrites(host, actions, known), take(takes.map((t) => t.path))])
  return { owners, taken: new Set(takes) }
}
