/** `modify`: points a deployment at a (new) config, after checking it fully. */
import type { DeploymentState } from '../state/index.js'
import { analyzeConfig } from './config-source.js'
import type { EngineContext } from './context.js'
import { findDeployment } from './lookup.js'
import { reconcileMachines } from './machines-state.js'
import { withLock } from './with-lock.js'

export async function modifyDeployment(
  ctx: EngineContext,
  options: { deployment: string | undefined; config?: string },
): Promise<DeploymentState> {
  const found = await findDeployment(ctx, options.deployment)
  return withLock(ctx, found.name, async () => {
    // Read again under the lock: another process may have changed it.
    const current = await findDeployment(ctx, found.id)
    const { config, analysis } = await analyzeConfig(ctx, options.config ?? current.configPath, current.name)
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
