/** `delete`: forgets a deployment; refuses while it still has machines, unless forced. */
import { GuixOpsError } from '@guix-ops/plugin-api'
import { ErrorCode, WarningCode } from '../codes.js'
import type { DeploymentState } from '../state/index.js'
import type { EngineContext } from './context.js'
import { liveMachines } from './machines-state.js'
import { type RunningMachine, runningMachines } from './running-machines.js'
import { withDeployment } from './with-lock.js'

/** Even with --force, the keys of a machine that still runs are never deleted. */
async function refuseRunning(ctx: EngineContext, state: DeploymentState, live: string[]): Promise<void> {
  const running = await runningMachines(ctx, state, live)
  if (running.length === 0) return
  const said = (m: RunningMachine) =>
    m.status ? `${m.machine} (${m.status})` : `${m.machine} (cannot tell: ${m.error})`
  throw new GuixOpsError(
    ErrorCode.MachinesRunning,
    `deployment "${state.name}" has machine(s) that may still run: ${running.map(said).join(', ')}; --force never deletes the keys of a running machine`,
    {
      where: { deployment: state.name },
      suggestion: `destroy them first with "guix-ops destroy -d ${state.name}" (or stop them), then delete`,
    },
  )
}

/** A delete cut off midway is finished first; asked for again, that deployment is then deleted. */
async function finishEarlierDeletes(ctx: EngineContext, nameOrId: string | undefined) {
  const finished = await ctx.store.finishRemovals()
  const asked = finished.find((d) => d.name === nameOrId || d.id === nameOrId)
  if (asked && nameOrId !== undefined && !(await ctx.store.find(nameOrId))) return asked
  return undefined
}

export async function deleteDeployment(
  ctx: EngineContext,
  options: { deployment: string | undefined; force?: boolean },
): Promise<DeploymentState> {
  const finished = await finishEarlierDeletes(ctx, options.deployment)
  if (finished) return finished
  return withDeployment(ctx, options.deployment, async (current) => {
    const live = liveMachines(current.machines)
    if (live.length > 0 && !options.force) {
      throw new GuixOpsError(
        ErrorCode.DeploymentLive,
        `deployment "${current.name}" still has ${live.length} machine(s) that exist: ${live.join(', ')}`,
        {
          where: { deployment: current.name },
          suggestion: `run "guix-ops destroy -d ${current.name}" first, or pass --force to forget machines that are stopped`,
        },
      )
    }
    if (live.length > 0) {
      await refuseRunning(ctx, current, live)
      ctx.emit({
        type: 'warning',
        code: WarningCode.ForgotMachines,
        message: `forgot ${live.length} machine(s) that still exist: ${live.join(', ')}`,
      })
    }
    await ctx.store.remove(current)
    return current
  })
}
