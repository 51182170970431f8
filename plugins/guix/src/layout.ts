/** Where the driver keeps things on the target: one directory per deployment and machine. */
import type { SystemContext } from '@guix-ops/plugin-api'

export const STATE_ROOT = '/var/lib/guix-ops/guix'
/** Guix System's own places. */
export const CURRENT_SYSTEM = '/run/current-system'
export const SYSTEM_PROFILE = '/var/guix/profiles/system'

export interface Layout {
  dir: string
  /** Load-path directory holding the generated `(guix-ops parameters)`. */
  modules: string
  /** Copies of the `loadPath` directories, in order. */
  loadPath: (index: number) => string
  channels: string
  safetyScript: string
  /** Loads the new system's Shepherd services after a switch (upgrade-services.ts). */
  upgradeScript: string
  rollbackScript: string
  /** What the last deploy recorded: store path, config hash. */
  deployed: string
  /** The record before it, put back when the host rolls back by itself. */
  previousDeployed: string
  /** Present while a deploy waits for its confirmation. */
  pending: string
  pendingPid: string
}

export function layoutFor(ctx: Pick<SystemContext, 'deployment' | 'machine'>): Layout {
  const dir = `${STATE_ROOT}/${ctx.deployment.id}/${ctx.machine}`
  return {
    dir,
    modules: `${dir}/modules`,
    loadPath: (index) => `${dir}/load-path/${index}`,
    channels: `${dir}/channels.scm`,
    safetyScript: `${dir}/safety-check.scm`,
    upgradeScript: `${dir}/upgrade-services.scm`,
    rollbackScript: `${dir}/rollback.sh`,
    deployed: `${dir}/deployed.json`,
    previousDeployed: `${dir}/deployed.previous.json`,
    pending: `${dir}/pending`,
    pendingPid: `${dir}/pending.pid`,
  }
}
