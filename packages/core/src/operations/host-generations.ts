/**
 * After `check`: where a host's own record of its generation in force
 * differs from the state (a deploy killed before it confirmed, undone on
 * the host), the state follows the host, under the deployment's lock. The
 * check read the state before it took the lock: a machine whose record a
 * deploy or rollback changed meanwhile is left as they wrote it.
 */

import { WarningCode } from '../codes.js'
import { describeMismatch, type GenerationMismatch, withHostGeneration } from '../deploy/index.js'
import type { DeploymentState, MachineState } from '../state/index.js'
import type { EngineContext } from './context.js'
import { withDeployment } from './with-lock.js'

/** The generation in force that a machine's record gives: the newest one unless a rollback said otherwise. */
const inForce = (m: MachineState | undefined) => m?.currentGeneration ?? m?.generations?.at(-1)?.number

type Found = { machine: string; reconciled: GenerationMismatch }

function warnNotFollowed(ctx: EngineContext, found: Found[], why: string): void {
  for (const { machine, reconciled } of found)
    ctx.emit({
      type: 'warning',
      code: WarningCode.GenerationMismatch,
      message: `${describeMismatch(machine, reconciled, false)} (${why})`,
    })
}

export async function followHostGenerations(
  ctx: EngineContext,
  state: DeploymentState,
  checks: { machine: string; reconciled?: GenerationMismatch }[],
): Promise<void> {
  const found = checks.filter((c): c is Found => c.reconciled !== undefined)
  if (found.length === 0) return
  let followed: Found[] = []
  try {
    await withDeployment(ctx, state.id, async (current) => {
      // Only where the record is still the one the check compared with the host.
      followed = found.filter(({ machine }) => inForce(current.machines[machine]) === inForce(state.machines[machine]))
      if (followed.length === 0) return
      for (const { machine, reconciled } of followed)
        current.machines[machine] = withHostGeneration(current.machines[machine]!, reconciled)
      await ctx.store.write({ ...current, updatedAt: new Date().toISOString() })
    })
  } catch (error) {
    warnNotFollowed(ctx, found, error instanceof Error ? error.message : String(error))
    return
  }
  const changedMeanwhile = found.filter((f) => !followed.includes(f))
  warnNotFollowed(ctx, changedMeanwhile, 'another command changed its record while this check ran; check again')
  for (const { machine, reconciled } of followed)
    ctx.emit({
      type: 'warning',
      code: WarningCode.GenerationReconciled,
      message: describeMismatch(machine, reconciled),
    })
}
