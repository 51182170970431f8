/** `rollback`: returns machines to an earlier generation through their system driver. */
import type { Generation } from '@guix-ops/plugin-api'
import { pickDeployment, readConfig, registryFor } from './config-source.js'
import type { EngineContext } from './context.js'
import { machineAccess, withSystemContext } from './machine-session.js'
import { withDeployment } from './with-lock.js'

export interface RollbackResult {
  machine: string
  generation?: Generation
  error?: string
}

export async function rollbackDeployment(
  ctx: EngineContext,
  options: { deployment: string | undefined; machines?: string[]; to?: number },
): Promise<RollbackResult[]> {
  return withDeployment(ctx, options.deployment, async (state) => {
    const config = await readConfig(ctx, state.configPath)
    const registry = registryFor(ctx, config, pickDeployment(config, state.name), state)
    const access = await machineAccess(ctx, state, options.machines ?? [])
    const results: RollbackResult[] = []
    for (const target of access) {
      const recorded = state.machines[target.machine]!
      try {
        const system = await registry.system(recorded.system)
        const generation = await withSystemContext(ctx, state, target, (systemCtx) =>
          system.rollback(systemCtx, options.to),
        )
        recorded.currentGeneration = generation.number
        results.push({ machine: target.machine, generation })
      } catch (error) {
        results.push({ machine: target.machine, error: error instanceof Error ? error.message : String(error) })
      }
    }
    await ctx.store.write({ ...state, updatedAt: new Date().toISOString() })
    return results
  })
}
