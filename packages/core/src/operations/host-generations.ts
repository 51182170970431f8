/**
 * After `check`: where a host's own record of its generation in force
 * differs from the state (a deploy killed before it confirmed, undone on
 * the host), the state follows the host, under the deployment's lock.
 */

import { WarningCode } from '../codes.js'
import { describeMismatch, type GenerationMismatch, withHostGeneration } from '../deploy/index.js'
import type { DeploymentState } from '../state/index.js'
import type { EngineContext } from './context.js'
import { withDeployment } from './with-lock.js'

export async function followHostGenerations(
  ctx: EngineContext,
  state: DeploymentState,
  checks: { machine: string; reconciled?: GenerationMismatch }[],
): Promise<void> {
  const found = checks.filter((c) => c.reconciled !== undefined)
  if (found.length === 0) return
  try {
    await withDeployment(ctx, state.id, async (current) => {
      for (const { machine, reconciled } of found) {
        const recorded = current.machines[machine]
        if (recorded) current.machines[machine] = withHostGeneration(recorded, reconciled!)
      }
      await ctx.store.write({ ...current, updatedAt: new Date().toISOString() })
    })
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error)
    for (const { machine, reconciled } of found)
      ctx.emit({
        type: 'warning',
        code: WarningCode.GenerationMismatch,
        message: `${describeMismatch(machine, reconciled!, false)} (${why})`,
      })
    return
  }
  for (const { machine, reconciled } of found)
    ctx.emit({
      type: 'warning',
      code: WarningCode.GenerationReconciled,
      message: describeMismatch(machine, reconciled!),
    })
}
