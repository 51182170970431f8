/**
 * What must hold before anything changes on the host, judged from its
 * facts: a deploy that cannot finish is refused up front, by name, rather
 * than failing halfway.
 */
import { GuixOpsError } from '@guix-ops/plugin-api'
import { DebianError } from './codes.js'
import type { Desired, Facts, Managed } from './model.js'

export interface PreflightOptions {
  autoRollback: boolean
  machine: string
}

const WITHOUT_SYSTEMD = "this host's PID 1 is not systemd (a container without systemd, WSL)"

export function preflight(desired: Desired, before: Managed, facts: Facts, options: PreflightOptions): void {
  const at = `debian: machine "${options.machine}"`
  const where = { machine: options.machine }
  for (const file of Object.keys(desired.files)) {
    if (facts.files[file]?.kind !== 'directory') continue
    throw new GuixOpsError(DebianError.File, `${at}: files["${file}"]: a directory is in the way on the host`, {
      where,
      suggestion: 'guix-ops does not replace a directory with a file: move the directory away, or choose another path',
    })
  }
  if (facts.systemd !== false) return
  const units = [...new Set([...Object.keys(desired.services), ...before.services])]
  if (units.length > 0)
    throw new GuixOpsError(
      DebianError.NoSystemd,
      `${at}: services need systemd, and ${WITHOUT_SYSTEMD}: ${units.join(', ')}`,
      {
        where,
        suggestion: "remove services from this machine's debian system",
      },
    )
  if (options.autoRollback)
    throw new GuixOpsError(
      DebianError.NoSystemd,
      `${at}: the automatic rollback needs systemd, and ${WITHOUT_SYSTEMD}; nothing was changed`,
      {
        where,
        suggestion:
          "set autoRollback: false in this machine's debian system to deploy files, users and packages without it (a change that cuts guix-ops off is then not undone by the host)",
      },
    )
}
