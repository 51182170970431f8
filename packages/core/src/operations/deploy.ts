/** `deploy`: makes every selected machine match the deployment's config. */
import { stopWatchdog } from '../config/index.js'
import type { DeployOptions, DeploySummary } from '../deploy/index.js'
import { runDeployment, StateWriter } from '../deploy/index.js'
import { applyHookPlugins, createLifecycleHooks } from '../hooks/index.js'
import type { PluginRegistry } from '../registry/index.js'
import type { MachineState } from '../state/index.js'
import { analyzeConfig, boundedResolver } from './config-source.js'
import type { EngineContext } from './context.js'
import { reconcileMachines } from './machines-state.js'
import { withDeployment } from './with-lock.js'

/** Records which package provides each machine's platform and system, to name it if it goes missing. */
function withProviders(machines: Record<string, MachineState>, registry: PluginRegistry): Record<string, MachineState> {
  return Object.fromEntries(
    Object.entries(machines).map(([name, machine]) => {
      const platform = registry.entries.find((e) => e.kind === 'platform' && e.name === machine.platform)
      const system = registry.entries.find((e) => e.kind === 'system' && e.name === machine.system)
      return [
        name,
        {
          ...machine,
          ...(platform ? { platformPackage: platform.packageName } : {}),
          ...(system ? { systemPackage: system.packageName } : {}),
        },
      ]
    }),
  )
}

export async function deployDeployment(
  ctx: EngineContext,
  options: DeployOptions & { deployment: string | undefined; signal?: AbortSignal },
): Promise<DeploySummary> {
  return withDeployment(ctx, options.deployment, async (current) => {
    const { config, deployment, analysis, registry } = await analyzeConfig(
      ctx,
      current.configPath,
      current.name,
      current,
    )
    // The state follows the config's machine list before anything is deployed.
    const state = options.dryRun
      ? current
      : { ...current, machines: withProviders(reconcileMachines(current.machines, analysis), registry) }
    const hooks = createLifecycleHooks()
    applyHookPlugins(hooks, await registry.hookPlugins())
    return runDeployment({
      definition: deployment.definition,
      analysis,
      writer: new StateWriter(ctx.store, state),
      plugins: registry,
      hooks,
      stateDir: ctx.store.dir,
      options,
      emit: ctx.emit,
      resolveMachine: boundedResolver(ctx, config),
      ...(options.signal ? { signal: options.signal } : {}),
    }).finally(stopWatchdog)
  })
}
