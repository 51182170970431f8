/**
 * The facts a plan compares against. Those of what the config wants are
 * asked together with the machine's records, in the same round trip (the
 * config says which paths, packages and names to read); only what the
 * record in force manages beyond the config, something taken out of it,
 * needs a second round trip once the record is known.
 */
import type { RemoteHost } from '@guix-ops/plugin-api'
import { readTaken } from './backups.js'
import { readFacts } from './facts.js'
import type { Layout } from './layout.js'
import { type Desired, EMPTY_DESIRED, type Facts, type Managed } from './model.js'

/** The host's facts, with the files its own marks say guix-ops took over: one round trip. */
export async function factsFor(host: RemoteHost, layout: Layout, desired: Desired, managed: Managed): Promise<Facts> {
  const paths = [...new Set([...Object.keys(desired.files), ...Object.keys(managed.files)])]
  const [facts, taken] = await Promise.all([readFacts(host, desired, managed), readTaken(host, layout, paths)])
  return { ...facts, taken }
}

/** What `managed` holds that `desired` does not name; undefined when nothing. */
export function managedBeyond(desired: Desired, managed: Managed): Managed | undefined {
  const outside = (names: string[], wanted: Iterable<string>) => {
    const kept = new Set(wanted)
    return names.filter((name) => !kept.has(name))
  }
  const extra: Managed = {
    packages: outside(managed.packages, desired.packages),
    groups: outside(managed.groups, desired.groups),
    users: outside(managed.users, Object.keys(desired.users)),
    files: Object.fromEntries(Object.entries(managed.files).filter(([file]) => !(file in desired.files))),
    directories: outside(managed.directories, Object.keys(desired.directories)),
    services: outside(managed.services, Object.keys(desired.services)),
  }
  const none = Object.values(extra).every((v) => (Array.isArray(v) ? v.length === 0 : Object.keys(v).length === 0))
  return none ? undefined : extra
}

/** `wanted`, the facts of `desired` read beforehand, with those of what `managed` holds beyond it. */
export async function completeFacts(
  host: RemoteHost,
  layout: Layout,
  desired: Desired,
  managed: Managed,
  wanted: Facts,
): Promise<Facts> {
  const extra = managedBeyond(desired, managed)
  if (!extra) return wanted
  const more = await factsFor(host, layout, EMPTY_DESIRED, extra)
  return {
    ...wanted,
    installed: [...wanted.installed, ...more.installed],
    files: { ...wanted.files, ...more.files },
    directories: { ...wanted.directories, ...more.directories },
    users: [...wanted.users, ...more.users],
    groups: [...wanted.groups, ...more.groups],
    services: { ...wanted.services, ...more.services },
    taken: { ...more.taken, ...wanted.taken },
  }
}
