/**
 * Confirm or roll back, as the core does for every driver that arms it:
 * after activation a detached script on the target waits, then switches
 * back to the previous generation and activates it, unless guix-ops,
 * connecting afresh, removes the pending marker first. A system that breaks
 * SSH or networking thus undoes itself. Guix System has no systemd timers:
 * a `setsid` shell does the waiting.
 */
import type { Generation, SystemContext } from '@guix-ops/plugin-api'
import { storePathOf } from './generations.js'
import type { Layout } from './layout.js'
import { CURRENT_SYSTEM, SYSTEM_PROFILE } from './layout.js'
import { must } from './remote.js'

// GUIX_NEW_SYSTEM makes the activation activate generation $3's system $4, not the booted one
// (see switch.ts); the deploy's record goes back to what it was before.
const ROLLBACK_SCRIPT = `#!/bin/sh
# Written by guix-ops: returns to generation $3 (system $4) unless the deploy was
# confirmed (the pending marker $2 removed) within $1 seconds.
sleep "$1"
[ -f "$2" ] || exit 0
rm -f "$2"
GUIX_NEW_SYSTEM="$4" guix system switch-generation "$3"
[ "$(readlink -f ${CURRENT_SYSTEM})" = "$4" ] || GUIX_NEW_SYSTEM="$4" ${SYSTEM_PROFILE}-"$3"-link/activate
if [ -f "$5" ]; then mv -f "$5" "$6"; else rm -f "$6"; fi
`

export async function arm(ctx: SystemContext, layout: Layout, seconds: number, previous: Generation): Promise<void> {
  await ctx.host.upload(layout.rollbackScript, ROLLBACK_SCRIPT, { mode: 0o700 })
  await ctx.host.upload(layout.pending, `${previous.number}\n`, { mode: 0o600 })
  const start = 'setsid "$@" </dev/null >/dev/null 2>&1 & echo $!'
  const script = [layout.rollbackScript, String(seconds), layout.pending, String(previous.number)]
  const records = [storePathOf(previous), layout.previousDeployed, layout.deployed]
  const pid = await must(ctx, ['sh', '-c', start, 'sh', 'sh', ...script, ...records], 'arming the automatic rollback')
  await ctx.host.upload(layout.pendingPid, pid, { mode: 0o600 })
}

/** The deploy is confirmed: the marker goes first, so a script that wakes now does nothing. */
export async function disarm(ctx: SystemContext, layout: Layout): Promise<void> {
  await ctx.host.exec(['rm', '-f', layout.pending])
  const stop = '[ -f "$1" ] && kill "$(cat "$1")" 2>/dev/null; rm -f "$1"; exit 0'
  await ctx.host.exec(['sh', '-c', stop, 'sh', layout.pendingPid])
}
