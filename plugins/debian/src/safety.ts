/**
 * Confirm or roll back, like deploy-rs' magic rollback. Before applying,
 * the files a plan touches are saved on the target; after applying, a
 * systemd timer is armed there to put them back (and restart sshd and the
 * services watching them) unless guix-ops, connecting afresh, confirms in
 * time. A change that breaks sshd or networking thus undoes itself.
 * Packages and users are not part of the snapshot: a rollback command
 * restores those.
 */
import { GuixOpsError, type RemoteHost } from '@guix-ops/plugin-api'
import type { Action } from './actions.js'
import { STATE_DIR } from './generations.js'

const PENDING = `${STATE_DIR}/pending`
const SCRIPT = `${STATE_DIR}/rollback.sh`
/** Timer units are named per arming, so a unit left from an earlier deploy never collides. */
export const ROLLBACK_UNIT_PREFIX = 'guix-ops-rollback'

const ROLLBACK_SCRIPT = `#!/bin/sh
# Written by guix-ops: restores the files of a deploy that was never confirmed.
p=${PENDING}
[ -f "$p/snapshot.tar" ] || exit 0
xargs -0 -r rm -f -- < "$p/absent"
tar -C / -xpf "$p/snapshot.tar"
[ -f "$p/previous" ] && cp "$p/previous" ${STATE_DIR}/current
while IFS= read -r u; do [ -n "$u" ] && systemctl restart -- "$u"; done < "$p/units"
rm -rf "$p"
`

/** Paths a plan writes or removes. */
export function touchedFiles(actions: Action[]): string[] {
  return actions.flatMap((a) => (a.kind === 'file-write' || a.kind === 'file-remove' ? [a.path] : []))
}

/** Saves the touched files (and which did not exist) before anything changes. */
export async function snapshot(
  host: RemoteHost,
  files: string[],
  units: string[],
  previous: number | undefined,
): Promise<void> {
  await host.exec(['rm', '-rf', PENDING])
  await host.exec(['install', '-d', '-m', '0700', STATE_DIR, PENDING])
  // A fixed script; the paths are its arguments.
  const save = [
    'p="$1"; shift',
    ': > "$p/absent"',
    // NUL-terminated: a path may hold a newline.
    'for f; do [ -e "$f" ] || printf "%s\\0" "$f" >> "$p/absent"; done',
    'tar -C / -cpf "$p/snapshot.tar" --ignore-failed-read --files-from=/dev/null',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion, not a template string.
    'for f; do [ -e "$f" ] && tar -C / -rpf "$p/snapshot.tar" -- "${f#/}"; done',
    'exit 0',
  ].join('\n')
  await host.exec(['sh', '-c', save, 'sh', PENDING, ...files])
  await host.upload(`${PENDING}/units`, `${[...new Set(['ssh', ...units])].join('\n')}\n`, { mode: 0o600 })
  if (previous !== undefined) await host.upload(`${PENDING}/previous`, `${previous}\n`, { mode: 0o600 })
}

/** Arms the timer that restores the snapshot unless confirmed within `seconds`. */
export async function arm(host: RemoteHost, seconds: number, generation: number): Promise<void> {
  await disarmTimers(host)
  await host.upload(SCRIPT, ROLLBACK_SCRIPT, { mode: 0o700 })
  const unit = `${ROLLBACK_UNIT_PREFIX}-${generation}-${Date.now()}`
  // systemd timers fire up to a minute late unless told otherwise: the deadline must hold.
  const argv = [
    'systemd-run',
    '--collect',
    `--unit=${unit}`,
    `--on-active=${seconds}s`,
    '--timer-property=AccuracySec=1s',
    '/bin/sh',
    SCRIPT,
  ]
  const result = await host.exec(argv)
  if (result.code !== 0)
    throw new GuixOpsError('E_DEBIAN_ROLLBACK', `debian: cannot arm the automatic rollback: ${result.stderr.trim()}`, {
      suggestion: 'on a host without systemd, set autoRollback: false',
    })
}

async function disarmTimers(host: RemoteHost): Promise<void> {
  await host.exec(['systemctl', 'stop', `${ROLLBACK_UNIT_PREFIX}-*.timer`])
}

/** The deploy is confirmed: disarm the timer and drop the snapshot. */
export async function disarm(host: RemoteHost): Promise<void> {
  await disarmTimers(host)
  await host.exec(['rm', '-rf', PENDING])
}
