/**
 * The ids an unprivileged container runs as: root's subordinate ranges in
 * /etc/subuid and /etc/subgid (shadow's files, see subuid(5)), of which the
 * first 65536 become the container's 0..65535 through `lxc.idmap` (see
 * lxc.container.conf(5)). Root inside is then an ordinary, high uid outside.
 */
import { existsSync, readFileSync } from 'node:fs'
import { LxcError, lxcError } from './errors.js'

/** Every id a Debian system uses, nobody (65534) included. */
export const MAPPED_IDS = 65536

export interface IdMap {
  /** The host uid that is uid 0 inside. */
  uid: number
  /** The host gid that is gid 0 inside. */
  gid: number
}

/** The first range of at least MAPPED_IDS ids that `user` owns in a subuid(5)-style file. */
export function subordinateStart(text: string, user: string): number | undefined {
  for (const line of text.split('\n')) {
    const [name, start, count] = line.trim().split(':')
    if (name !== user || !/^\d+$/.test(start ?? '') || !/^\d+$/.test(count ?? '')) continue
    if (Number(count) >= MAPPED_IDS) return Number(start)
  }
  return undefined
}

export const ADD_RANGES_COMMAND = `usermod --add-subuids 100000-165535 --add-subgids 100000-165535 root`

function rangeOf(file: string, machine: string): number {
  const start = existsSync(file) ? subordinateStart(readFileSync(file, 'utf8'), 'root') : undefined
  if (start !== undefined) return start
  throw lxcError(
    LxcError.Unprivileged,
    `unprivileged: true maps the container's ids to root's subordinate ids, and ${file} gives root no range of ${MAPPED_IDS}`,
    { machine, suggestion: `give root a range in both /etc/subuid and /etc/subgid: ${ADD_RANGES_COMMAND}` },
  )
}

/** Root's id map for unprivileged containers, or an error saying which file lacks what. */
export function rootIdMap(machine: string, files = { subuid: '/etc/subuid', subgid: '/etc/subgid' }): IdMap {
  return { uid: rangeOf(files.subuid, machine), gid: rangeOf(files.subgid, machine) }
}

/** The container config lines that map its ids (user namespace), after Debian's own userns settings. */
export function idMapConfig(map: IdMap): string[] {
  return [
    'lxc.include = /usr/share/lxc/config/debian.userns.conf',
    `lxc.idmap = u 0 ${map.uid} ${MAPPED_IDS}`,
    `lxc.idmap = g 0 ${map.gid} ${MAPPED_IDS}`,
  ]
}
