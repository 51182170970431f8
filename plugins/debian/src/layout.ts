/**
 * Where the driver keeps its records on a host: one directory per
 * deployment id and machine, /var/lib/guix-ops/<deployment-id>/<machine>/,
 * so that two deployments (or two machines) sharing a host never take each
 * other's files for their own. Each holds the generations, the `current`
 * one, the originals of taken-over files and the pending rollback.
 */
import { GuixOpsError } from '@guix-ops/plugin-api'
import { DebianError } from './codes.js'

export const ROOT = '/var/lib/guix-ops'

/** Who a record belongs to, as the owner.json in its directory says. */
export interface Owner {
  deployment: { id: string; name: string }
  machine: string
}

export interface Layout {
  owner: Owner
  dir: string
  generations: string
  current: string
  backup: string
  pending: string
  rollbackScript: string
  ownerFile: string
}

/** Ids and machine names become path components: nothing else may reach the path. */
const SAFE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/

export function layoutOf(owner: Owner): Layout {
  for (const part of [owner.deployment.id, owner.machine]) {
    if (!SAFE.test(part) || part.includes('..'))
      throw new GuixOpsError(DebianError.Layout, `debian: "${part}" cannot name a directory on the host`)
  }
  const dir = `${ROOT}/${owner.deployment.id}/${owner.machine}`
  return {
    owner,
    dir,
    generations: `${dir}/generations`,
    current: `${dir}/current`,
    backup: `${dir}/backup`,
    pending: `${dir}/pending`,
    rollbackScript: `${dir}/rollback.sh`,
    ownerFile: `${dir}/owner.json`,
  }
}

/** The record directory and its parents, for `install -d -m 0700`: records are root's alone. */
export const recordDirs = (layout: Layout): string[] => [ROOT, layout.dir.replace(/\/[^/]*$/, ''), layout.dir]

/** How a record names its owner in messages. */
export const describeOwner = (owner: Owner): string =>
  `deployment "${owner.deployment.name}" machine "${owner.machine}"`
