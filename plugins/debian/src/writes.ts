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
import { mustRun } from './remote.js'

// A fixed script; the directories, then the owner and group of each file, are its arguments.
const PREPARE_SCRIPT = [
  'n=$1; shift',
  'while [ "$n" -gt 0 ]; do mkdir -p -- "$1" || exit 1; shift; n=$((n - 1)); done',
  'while [ $# -gt 0 ]; do',
  '  u=$(id -u -- "$1" 2>/dev/null); g=$(getent group -- "$2" | cut -d: -f3)',
  '  echo "$u:$g"; shift 2',
  'done',
].join('\n')

type FileWrite = Extract<Action, { kind: 'file-write' }>

/** `owner:group` as named in the config -> `uid:gid` on the host, for those the host knows. */
export type OwnerIds = Map<string, string>

export const ownerOf = (action: FileWrite): string => `${action.file.owner}:${action.file.group}`

export async function prepareWrites(host: RemoteHost, actions: Action[]): Promise<OwnerIds> {
  const writes = actions.filter((a): a is FileWrite => a.kind === 'file-write')
  const dirs = [...new Set(writes.map((a) => a.path.replace(/\/[^/]*$/, '') || '/'))]
  const owners = [...new Set(writes.map(ownerOf))]
  const pairs = owners.flatMap((o) => [o.slice(0, o.indexOf(':')), o.slice(o.indexOf(':') + 1)])
  const argv = ['sh', '-c', PREPARE_SCRIPT, 'sh', String(dirs.length), ...dirs, ...pairs]
  const result = await mustRun(host, argv, 'creating the directories of the files to write')
  const lines = result.stdout.split('\n')
  const ids: OwnerIds = new Map()
  owners.forEach((owner, i) => {
    if (/^\d+:\d+$/.test(lines[i] ?? '')) ids.set(owner, lines[i]!)
  })
  return ids
}

export const isFileAction = (action: Action): boolean => action.kind === 'file-take' || action.kind === 'file-write'

export interface PreparedFiles {
  owners: OwnerIds
  /** The file-take actions done already. */
  taken: Set<Action>
}

/** Keeps every original (with `take`) and prepares every write, all asked at once. */
export async function prepareFiles(
  host: RemoteHost,
  actions: Action[],
  take: (action: Action) => Promise<void>,
): Promise<PreparedFiles> {
  const takes = actions.filter((a) => a.kind === 'file-take')
  const [owners] = await Promise.all([prepareWrites(host, actions), ...takes.map(take)])
  return { owners, taken: new Set(takes) }
}
