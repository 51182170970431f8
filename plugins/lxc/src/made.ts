/**
 * What a container was made with, kept in its resource, and how the options
 * now differ from it. Its release, architecture and id mapping are those of
 * the base its overlay sits on: only destroy then deploy changes them. Its
 * limits, mounts and autostart are lines of its LXC config, which a deploy
 * rewrites (see reconfigure.ts); `ports` live on this host and are followed
 * on every deploy, so they are not kept here.
 */
import type { JsonValue, OptionChange } from '@guix-ops/plugin-api'
import { LxcError } from './codes.js'
import type { LxcOptions } from './options.js'

export interface MadeWith {
  [key: string]: JsonValue
  release: string
  arch: string
  unprivileged: boolean
  memory: number | null
  cpus: number | null
  mounts: { source: string; target: string; readOnly: boolean }[] | null
  autostart: boolean
}

export function madeWith(o: LxcOptions): MadeWith {
  return {
    release: o.release,
    arch: o.arch,
    unprivileged: o.unprivileged,
    memory: o.memory ?? null,
    cpus: o.cpus ?? null,
    mounts: o.mounts ? o.mounts.map((m) => ({ ...m })) : null,
    autostart: o.autostart,
  }
}

/** The options only a new container takes, in the order they are told. */
const AT_CREATION_ONLY = ['release', 'arch', 'unprivileged'] as const

/** The options a deploy changes on the container, and what that does to it. */
const IN_PLACE: Record<'memory' | 'cpus' | 'mounts' | 'autostart', string> = {
  memory: 'a running container gets the new limit at once, without a restart',
  cpus: 'a running container gets the new limit at once, without a restart',
  mounts: 'restarts the container',
  autostart: 'taken up when the host boots',
}

const same = (a: JsonValue, b: JsonValue): boolean => JSON.stringify(a) === JSON.stringify(b)

export function optionChanges(made: MadeWith | null | undefined, o: LxcOptions): OptionChange[] {
  if (!made) return [] // made before guix-ops kept this record: nothing is known to compare with
  const now = madeWith(o)
  const changes: OptionChange[] = []
  for (const option of AT_CREATION_ONLY) {
    if (same(made[option], now[option])) continue
    changes.push({ option, from: made[option], to: now[option], applies: 'recreate', code: LxcError.Recreate })
  }
  for (const [option, detail] of Object.entries(IN_PLACE)) {
    if (same(made[option]!, now[option]!)) continue
    changes.push({ option, from: made[option]!, to: now[option]!, applies: 'deploy', detail })
  }
  return changes
}

/** What the container has once a deploy applied the in-place changes: its base stays as it was made. */
export const reconfigured = (made: MadeWith, o: LxcOptions): MadeWith => ({
  ...madeWith(o),
  release: made.release,
  arch: made.arch,
  unprivileged: made.unprivileged,
})
