/** `delete-generation`: forgets an old generation of a machine, on the host and in state. */
import { GuixOpsError } from '@guix-ops/plugin-api'
import { ErrorCode } from '../codes.js'
import { pickDeployment, readConfig, registryFor } from './config-source.js'
import type { EngineContext } from './context.js'
import { machineAccess, withSystemContext } from './machine-session.js'
import { withDeployment } from './with-lock.js'

export async function deleteGeneration(
  ctx: EngineContext,
  options: { deployment: string | undefined; machine: string; number: number },
): Promise<void> {
  await withDeployment(ctx, options.deployment, async (state) => {
    const recorded = state.machines[options.machine]
    const current = recorded?.currentGeneration ?? recorded?.generations?.at(-1)?.number
    if (current === options.number) {
      throw new GuixOpsError(ErrorCode.Usage, `generation ${options.number} is the current one of ${options.machine}`, {
        suggestion: 'roll back to another generation first',
      })
    }
    const config = await readConfig(ctx, state.configPath)
    const registry = registryFor(ctx, config, pickDeployment(config, state.name), state)
    const [access] = await machineAccess(ctx, state, [options.machine])
    const system = await registry.system(recorded!.system)
    if (!system.deleteGeneration) {
      throw new GuixOpsError(ErrorCode.Capability, `system "${system.name}" cannot delete generations`, {
        where: { plugin: system.name },
      })
    }
    const remove = system.deleteGeneration.bind(system)
    await withSystemContext(ctx, state, access!, (systemCtx) => remove(systemCtx, options.number))
    recorded!.generations = (recorded!.generations ?? []).filter((g) => g.number !== options.number)
    await ctx.store.write({ ...state, updatedAt: new Date().toISOString() })
  })
}
