/**
 * Reconfiguring, and rolling back when it fails, as `guix deploy` does
 * (gnu/machine/ssh.scm: `deploy-managed-host` runs switch-to-system,
 * upgrade-shepherd-services and install-bootloader under `with-roll-back`).
 * `guix system reconfigure` may fail after it switched the profile and
 * moved /run/current-system (a service's activation snippet that throws, a
 * Shepherd or bootloader step): then the previous generation is made the
 * running system again, and the error says which generation runs.
 */
import { type ExecResult, type Generation, GuixOpsError, type SystemContext } from '@guix-ops/plugin-api'
import { GuixError } from './codes.js'
import { runningSystem } from './deployed.js'
import { listGenerations, storePathOf } from './generations.js'
import { streamed, tail } from './remote.js'
import { switchTo } from './switch.js'

function reconfigureFailed(ctx: SystemContext, why: string, outcome: string): GuixOpsError {
  return new GuixOpsError(GuixError.Reconfigure, `guix: guix system reconfigure failed (${why}); ${outcome}`, {
    where: { machine: ctx.machine },
  })
}

/** After a failure: back to `previous` if anything moved, and a sentence saying what runs now. */
async function restore(ctx: SystemContext, previous: Generation | undefined): Promise<string> {
  const now = (await listGenerations(ctx)).find((g) => g.current)
  const running = await runningSystem(ctx)
  if (!previous) return `the host runs ${running || 'no system'}`
  const store = storePathOf(previous)
  if (now?.number === previous.number && running === store)
    return `nothing changed: generation ${previous.number} still runs`
  try {
    await switchTo(ctx, previous, 'switch-generation', GuixError.Reconfigure)
    return `rolled back to generation ${previous.number} (${store}), which runs again`
  } catch (error) {
    return `rolling back to generation ${previous.number} failed too (${(error as Error).message}); the host runs ${await runningSystem(ctx)}`
  }
}

/** `guix system reconfigure` on the host, as the step that changes the system. */
export function reconfigureStep(ctx: SystemContext, argv: string[]): () => Promise<void> {
  return async () => {
    ctx.progress.report('guix system reconfigure')
    const result: ExecResult = await streamed(ctx, argv, 'reconfigure')
    if (result.code !== 0)
      throw new GuixOpsError(
        GuixError.Reconfigure,
        `guix: guix system reconfigure failed (exit ${result.code ?? 'by signal'}: ${tail(result)})`,
        { where: { machine: ctx.machine } },
      )
  }
}

/**
 * Runs `change` (a reconfigure, or a switch to a system built here) and
 * returns the new current generation, which must be the running system; on
 * any failure rolls back to `previous`, and the error says what runs now.
 */
export async function changeOrRollBack(
  ctx: SystemContext,
  change: () => Promise<void>,
  previous: Generation | undefined,
): Promise<{ current: Generation; storePath: string }> {
  try {
    await change()
  } catch (error) {
    if (!(error instanceof GuixOpsError)) throw error
    const outcome = await restore(ctx, previous)
    throw new GuixOpsError(error.code, `${error.message}; ${outcome}`, {
      ...(error.where ? { where: error.where } : {}),
      ...(error.suggestion ? { suggestion: error.suggestion } : {}),
      cause: error,
    })
  }
  const current = (await listGenerations(ctx)).find((g) => g.current)
  const storePath = await runningSystem(ctx)
  if (!current || storePath !== storePathOf(current)) {
    const why = current
      ? `the running system is ${storePath || 'missing'}, not generation ${current.number}'s ${storePathOf(current)}`
      : 'list-generations shows no current generation'
    throw reconfigureFailed(ctx, why, await restore(ctx, previous))
  }
  return { current, storePath }
}
