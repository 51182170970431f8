/**
 * Confirm or roll back, like deploy-rs' magic rollback. Before applying,
 * the files a plan touches are saved on the target; after applying, a
 * systemd timer is armed there to put them back (and restart sshd and the
 * services watching them) unless guix-ops, connecting afresh, confirms in
 * time. A change that breaks sshd or networking thus undoes itself.
 * Packages and users are not part of the snapshot: a rollback command
 * restores those.
 */
import { createHash } from 'node:crypto'
import { GuixOpsError, type RemoteHost } from '@guix-ops/plugin-api'
import type { Action } from './actions.js'
import { backupPath } from './backups.js'
import { DebianError } from './codes.js'
import { type Layout, recordDirs } from './layout.js'
import { must } from './remote.js'

/** Timer units are named per arming, so a unit left from an earlier deploy never collides. */
export const ROLLBACK_UNIT_PREFIX = 'guix-ops-rollback'

// Its argument is the machine's record directory (layout.ts). Unconfirmed,
// the generation before is in force again; without one, none is.
const ROLLBACK_SCRIPT = `#!/bin/sh
# Written by guix-ops: restores the files of a deploy that was never confirmed.
d="$1"; p="$d/pending"
[ -f "$p/snapshot.tar" ] || exit 0
xargs -0 -r rm -f -- < "$p/absent"
tar -C / -xpf "$p/snapshot.tar"
if [ -f "$p/previous" ]; then cp "$p/previous" "$d/current"; else rm -f "$d/current"; fi
while IFS= read -r u; do [ -n "$u" ] && systemctl restart -- "$u"; done < "$p/units"
rm -rf "$p"
`

/**
 * The timers of one machine's records: another deployment's, or another
 * machine's, on the same host are not ours to stop. The machine's name is
 * hashed, so that no name is a prefix of another's stem ("web" and "web.2").
 */
const unitStem = (layout: Layout) => {
  const machine = createHash('sha256').update(layout.owner.machine).digest('hex').slice(0, 12)
  return `${ROLLBACK_UNIT_PREFIX}-${layout.owner.deployment.id.slice(0, 8)}-${machine}-`
}

/**
 * Paths a plan writes or removes, and the kept originals (with their marks)
 * of the files it gives back: a give-back that is never confirmed must find
 * its original again when the host rolls back.
 */
export function touchedFiles(actions: Action[], layout: Layout): string[] {
  return actions.flatMap((a) => {
    if (a.kind === 'file-write') return [a.path]
    if (a.kind !== 'file-remove') return []
    const kept = backupPath(layout, a.path)
    return [a.path, kept, `${kept}.path`, `${kept}.absent`]
  })
}

// A fixed script; the paths, the units to restart and the generation before are its arguments.
const SNAPSHOT_SCRIPT = [
  'p="$1"; units="$2"; previous="$3"; shift 3',
  'rm -rf "$p" || exit 1',
  'install -d -m 0700 "$1" "$2" "$3" "$p" || exit 1; shift 3',
  'umask 077',
  'printf "%s" "$units" > "$p/units" || exit 1',
  'if [ -n "$previous" ]; then printf "%s\\n" "$previous" > "$p/previous" || exit 1; fi',
  ': > "$p/absent"',
  // NUL-terminated: a path may hold a newline.
  'for f; do [ -e "$f" ] || printf "%s\\0" "$f" >> "$p/absent" || exit 1; done',
  'tar -C / -cpf "$p/snapshot.tar" --files-from=/dev/null || exit 1',
  // A snapshot that misses a file (a full disk) must stop the deploy before anything changes.
  // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion, not a template string.
  'for f; do if [ -e "$f" ]; then tar -C / -rpf "$p/snapshot.tar" -- "${f#/}" || exit 1; fi; done',
].join('\n')

/** Saves the touched files (and which did not exist) before anything changes, in one command. */
export async function snapshot(
  host: RemoteHost,
  layout: Layout,
  files: string[],
  units: string[],
  previous: number | undefined,
): Promise<void> {
  const restart = `${[...new Set(['ssh', ...units])].join('\n')}\n`
  const argv = ['sh', '-c', SNAPSHOT_SCRIPT, 'sh', layout.pending, restart, previous?.toString() ?? '']
  await must(host, [...argv, ...recordDirs(layout), ...files], 'saving the files this deploy touches')
}

/**
 * The systemd-run command that arms the timer restoring the snapshot unless
 * confirmed within `seconds`; timers of earlier arms are stopped first.
 */
function armCommand(layout: Layout, seconds: number, generation: number): string[] {
  const unit = `${unitStem(layout)}${generation}-${Date.now()}`
  // systemd timers fire up to a minute late unless told otherwise: the deadline must hold.
  return [
    'systemd-run',
    '--collect',
    `--unit=${unit}`,
    `--on-active=${seconds}s`,
    '--timer-property=AccuracySec=1s',
    '/bin/sh',
    layout.rollbackScript,
    layout.dir,
  ]
}

/**
 * What `commitGeneration` needs to arm the rollback: the timers to stop,
 * where the rollback script goes and what it says, and the command that arms.
 */
export function armArguments(layout: Layout, seconds: number, generation: number): string[] {
  return [
    `${unitStem(layout)}*.timer`,
    layout.rollbackScript,
    ROLLBACK_SCRIPT,
    ...armCommand(layout, seconds, generation),
  ]
}

export const cannotArm = (stderr: string): GuixOpsError =>
  new GuixOpsError(DebianError.Rollback, `debian: cannot arm the automatic rollback: ${stderr.trim()}`, {
    suggestion: 'on a host without systemd, set autoRollback: false',
  })

/**
 * Stops the timers of earlier arms, then drops the snapshot: one process
 * where systemd is not PID 1 (no timer can have been armed there), one
 * more where it is. A fixed script: the unit pattern and dir are its arguments.
 */
const DISARM_SCRIPT = '[ -d /run/systemd/system ] && systemctl stop "$1"; exec rm -rf -- "$2"'

/** The deploy is confirmed: disarm the timer and drop the snapshot. */
export async function disarm(host: RemoteHost, layout: Layout): Promise<void> {
  await host.exec(['sh', '-c', DISARM_SCRIPT, 'sh', `${unitStem(layout)}*.timer`, layout.pending])
}
