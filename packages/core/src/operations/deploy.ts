/** `deploy`: makes every selected machine match the deployment's config. */
import type { DeployOptions, DeploySummary } from '../deploy/index.js'
import { runDeployment, StateWriter } from '../deploy/index.js'
import { createLifecycleHooks } from '../hooks/index.js'
import { analyzeConfig, registryFor } from './config-source.js'
import type { EngineContext } from './context.js'
import { reconcileMachines } from './machines-state.js'
import { withDeployment } from './with-lock.js'

export async function deployDeployment(
  ctx: EngineContext,
  options: DeployOptions & { deployment: string | undefined; signal?: AbortSignal },
): Promise<DeploySummary> {
  return withDeployment(ctx, options.deployment, async (current) => {
    const { config, deployment, analysis } = await analyzeConfig(ctx, current.configPath, current.name)
    const registry = registryFor(ctx, config, deployment)
    // The state follows the config's machine list before anything is deployed.
    const state = options.dryRun ? current : { ...current, machines: reconcileMachines(current.machines, analysis) }
    return runDeployment({
      definition: deployment.definition,
      analysis,
      writer: new StateWriter(ctx.store, state),
      plugins: registry,
      hooks: createLifecycleHooks(),
      stateDir: ctx.store.dir,
      options,
      emit: ctx.emit,
      ...(options.signal ? { signal: options.signal } : {}),
    })
  })
}
