/**
 * `destroy`: removes machines through their platform, dependents first, and
 * records each one as gone as soon as it is. A machine whose platform does
 * not own it (a managed host) is only forgotten, and only when asked to.
 */
import { GuixOpsError, isGuixOpsError } from '@guix-ops/plugin-api'
import { ErrorCode, WarningCode } from '../codes.js'
import { removeMachineFiles } from '../deploy/index.js'
import { CAPABILITY_MISSING } from '../platforms/index.js'
import type { DeploymentState } from '../state/index.js'
import { analyzeConfig } from './config-source.js'
import type { EngineContext } from './context.js'
import { destroyOrder } from './destroy-order.js'
import { chooseMachines, deploymentRegistry, failureOf, type MachineFailure, onPlatform } from './platform-call.js'
import { withDeployment } from './with-lock.js'

export type DestroyResult = 'destroyed' | 'forgotten' | 'refused' | 'failed' | 'not-created'

export interface DestroyOutcome extends MachineFailure {
  machine: string
  result: DestroyResult
}

export interface DestroySummary {
  deployment: { id: string; name: string }
  /** In the order the machines were worked on. */
  outcomes: DestroyOutcome[]
}

export interface DestroyOptions {
  deployment: string | undefined
  machines?: string[]
  /** Forget machines their platform cannot destroy (they are left as they are). */
  forget?: boolean
  /** Asked once, under the lock, with the machines about to go; false cancels. */
  confirm: (plan: { deployment: string; machines: string[] }) => Promise<boolean>
}

export async function destroyMachines(ctx: EngineContext, options: DestroyOptions): Promise<DestroySummary> {
  return withDeployment(ctx, options.deployment, async (state) => {
    const chosen = chooseMachines(state, options.machines ?? [], { deployed: false })
    const live = chosen.filter((m) => state.machines[m]?.resource)
    const outcomes: DestroyOutcome[] = chosen
      .filter((m) => !live.includes(m))
      .map((machine) => ({ machine, result: 'not-created' }))
    const summary = { deployment: { id: state.id, name: state.name }, outcomes }
    if (live.length === 0) return summary
    const { analysis } = await analyzeConfig(ctx, state.configPath, state.name, state)
    const order = destroyOrder(analysis.order, live)
    if (!(await options.confirm({ deployment: state.name, machines: order }))) {
      throw new GuixOpsError(ErrorCode.Cancelled, `destroy of deployment "${state.name}" cancelled; nothing changed`)
    }
    const registry = await deploymentRegistry(ctx, state)
    const inConfig = new Set(analysis.order)
    let current = state
    for (const machine of order) {
      try {
        const result = await onPlatform(ctx, current, registry, machine, undefined, async (call) => {
          if (call.platform.capabilities.destroy !== true) {
            if (!options.forget) throw notOurs(call.platform.name, machine)
            ctx.emit({
              type: 'warning',
              code: WarningCode.ForgotMachine,
              message: `forgot machine "${machine}": platform "${call.platform.name}" cannot destroy it, so it is left as it is`,
            })
            return 'forgotten' as const
          }
          call.pctx.progress.report('destroying')
          await call.platform.destroy!(call.pctx, call.resource)
          call.pctx.progress.report('destroyed')
          return 'destroyed' as const
        })
        current = await recordGone(ctx, current, machine, inConfig.has(machine))
        outcomes.push({ machine, result })
      } catch (error) {
        const refused = isGuixOpsError(error) && error.code === CAPABILITY_MISSING
        outcomes.push({ machine, result: refused ? 'refused' : 'failed', ...failureOf(error) })
      }
    }
    return summary
  })
}

function notOurs(platform: string, machine: string): GuixOpsError {
  return new GuixOpsError(
    CAPABILITY_MISSING,
    `platform "${platform}" cannot destroy machines: "${machine}" is not guix-ops' to destroy; pass --forget to forget it (it is left as it is)`,
    { where: { plugin: platform, machine } },
  )
}

/**
 * Drops what existed only with the machine (resource, address, host key,
 * generations, its plugin files and secrets); a machine gone from the
 * config is dropped entirely.
 */
async function recordGone(
  ctx: EngineContext,
  state: DeploymentState,
  machine: string,
  inConfig: boolean,
): Promise<DeploymentState> {
  const machines = { ...state.machines }
  const recorded = machines[machine]!
  if (inConfig) machines[machine] = { platform: recorded.platform, system: recorded.system }
  else delete machines[machine]
  const next = { ...state, machines, updatedAt: new Date().toISOString() }
  await ctx.store.write(next)
  await removeMachineFiles(ctx.store.dir, state.id, machine)
  return next
}
