/**
 * Making a system built here the host's running system, as `guix deploy`
 * does. gnu/machine/ssh.scm (deploy-managed-host) first authorizes this
 * machine's key when `authorize?` is set (remote-authorize-signing-key of
 * guix/ssh.scm), then switch-to-system of guix/scripts/system/reconfigure.scm
 * runs switch-system-program on the host: generation N+1 of the system
 * profile is made to point at the system, the profile switched to it, and
 * the system's activation script run with GUIX_NEW_SYSTEM set to the system
 * (activate-current-system of gnu/build/activation.scm links
 * /run/current-system to it; without the variable it would take the booted
 * system). Here the profile is switched with `guix system switch-generation`,
 * which also makes the bootloader boot the new generation; then, as
 * deploy-managed-host does next, the Shepherd's services are upgraded
 * (upgrade-services.ts).
 */
import { readFileSync } from 'node:fs'
import { GuixOpsError, type SystemContext } from '@guix-ops/plugin-api'
import { requireSigningKey } from './build-path.js'
import { GuixError } from './codes.js'
import { SYSTEM_PROFILE } from './layout.js'
import { buildAndCopy } from './local-build.js'
import type { GuixOptions } from './options.js'
import { must, tail } from './remote.js'
import { switchTo } from './switch.js'
import { upgradeServices } from './upgrade-services.js'
import type { Upload } from './upload.js'

/** `guix archive --authorize` on the host with this machine's public signing key. */
export async function authorizeSigningKey(ctx: SystemContext): Promise<void> {
  const key = readFileSync(requireSigningKey())
  ctx.progress.report("authorizing this machine's signing key on the host")
  const result = await ctx.host.exec(['guix', 'archive', '--authorize'], { stdin: key })
  if (result.code !== 0)
    throw new GuixOpsError(GuixError.Authorize, `guix: guix archive --authorize failed on the host: ${tail(result)}`, {
      where: { machine: ctx.machine },
    })
}

/** Generation `current + 1` points at `storePath`; the profile, the bootloader and /run/current-system follow. */
export async function switchToSystem(ctx: SystemContext, storePath: string, current: number): Promise<number> {
  const next = current + 1
  ctx.progress.report(`switching to ${storePath} as generation ${next}`)
  const link = `${SYSTEM_PROFILE}-${next}-link`
  await must(ctx, ['ln', '-sfn', '--', storePath, link], `making ${link}`, GuixError.Switch)
  // As for a rollback: switch-generation activates without GUIX_NEW_SYSTEM unless it is set (switch.ts).
  await switchTo(
    ctx,
    { number: next, createdAt: '', current: false, data: { storePath } },
    'switch-generation',
    GuixError.Switch,
  )
  return next
}

/** How the host upgrades its Shepherd services once switched: the script's path and the `guix repl` that runs it. */
export interface ServicesUpgrade {
  script: string
  repl: string[]
}

/** The whole path of a system built here: authorize, build, copy, switch, upgrade services; checks the host runs exactly that. */
export async function buildHereAndSwitch(
  ctx: SystemContext,
  options: GuixOptions,
  upload: Upload,
  current: number,
  services: ServicesUpgrade,
): Promise<void> {
  if (options.authorize) await authorizeSigningKey(ctx)
  const storePath = await buildAndCopy(ctx, upload, options.system)
  // switchTo reads back /run/current-system: it must be exactly the system built here.
  await switchToSystem(ctx, storePath, current)
  await upgradeServices(ctx, services.script, services.repl)
}
