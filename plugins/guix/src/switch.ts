/**
 * Making a generation the running system. `guix system switch-generation`
 * and `roll-back` move the profile, then load the generation's `activate`
 * in their own process without setting GUIX_NEW_SYSTEM (guix/scripts/
 * system.scm, `switch-to-system-generation`). The activation script's
 * `activate-current-system` (gnu/build/activation.scm) takes
 * `(or (getenv "GUIX_NEW_SYSTEM") (boot-time-system))`: without the
 * variable, /run/current-system would point at the system the host booted
 * (`gnu.system=` on the kernel command line). So the driver sets it to the
 * generation's store item, as reconfigure's `switch-system-program` does
 * (guix/scripts/system/reconfigure.scm), and then reads back what runs.
 */
import { type Generation, GuixOpsError, type SystemContext } from '@guix-ops/plugin-api'
import { runningSystem } from './deployed.js'
import { storePathOf } from './generations.js'
import { SYSTEM_PROFILE } from './layout.js'
import { must } from './remote.js'

/** `env GUIX_NEW_SYSTEM=STORE`: the prefix that makes an activation activate STORE. */
export function newSystemEnv(store: string): string[] {
  return ['env', `GUIX_NEW_SYSTEM=${store}`]
}

/** Switches to `generation` (with `roll-back` when that is the previous one) and returns the running system. */
export async function switchTo(
  ctx: SystemContext,
  generation: Generation,
  how: 'roll-back' | 'switch-generation',
  code: string,
): Promise<string> {
  const store = storePathOf(generation)
  const n = generation.number
  const argv = how === 'roll-back' ? ['roll-back'] : ['switch-generation', String(n)]
  await must(ctx, [...newSystemEnv(store), 'guix', 'system', ...argv], `guix system ${argv.join(' ')}`, code)
  // A Guix whose switch-generation does not activate leaves the old system running: activate it here.
  if ((await runningSystem(ctx)) !== store)
    await must(
      ctx,
      [...newSystemEnv(store), `${SYSTEM_PROFILE}-${n}-link/activate`],
      `activating generation ${n}`,
      code,
    )
  const running = await runningSystem(ctx)
  if (running !== store)
    throw new GuixOpsError(
      code,
      `guix: after switching to generation ${n}, the running system is ${running || 'missing'}, not ${store}`,
      { where: { machine: ctx.machine } },
    )
  return running
}
