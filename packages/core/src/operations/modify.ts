/** `modify`: points a deployment at a (new) config, after checking it fully. */
import type { DeploymentState } from '../state/index.js'
import { analyzeConfig } from './config-source.js'
import type { EngineContext } from './context.js'
import { reconcileMachines } from './machines-state.js'
import { withDeployment } from './with-lock.js'

export async function modifyDeployment(
  ctx: EngineContext,
  options: { deployment: string | undefined; config?: string },
): Promise<DeploymentState> {
  return withDeployment(ctx, options.deployment, async (current) => {
    const { config, analysis } = await analyzeConfig(ctx, options.config ?? current.configPath, current.name, current)
    const updated: DeploymentState = {
      ...current,
      configPath: config.file,
      updatedAt: new Date().toISOString(),
      machines: reconcileMachines(current.machines, analysis),
    }
    if (analysis.description) updated.description = analysis.description
    else delete updated.description
    await ctx.store.write(updated)
    return updated
  })
}
