/** For `check` and `info`: the platform options the config changed since each machine was made. */
import type { JsonObject, MachineResults, MachineSpec, PlatformDefinition } from '@guix-ops/plugin-api'
import type { ConfigDeployment, DeploymentAnalysis, NormalizedConfig } from '../config/index.js'
import { type MachineOptionChange, optionChanges, recordedResults, validOptions } from '../deploy/index.js'
import type { PluginRegistry } from '../registry/index.js'
import type { DeploymentState } from '../state/index.js'
import { boundedResolver } from './config-source.js'
import type { EngineContext } from './context.js'

/** The platform options changed since the machine was made, read from the config with the results recorded. */
export async function changedOptions(
  platform: PlatformDefinition,
  at: { deployment: string; machine: string },
  spec: () => MachineSpec | Promise<MachineSpec>,
  resource: JsonObject,
): Promise<MachineOptionChange[]> {
  if (!platform.optionChanges) return []
  const options = await validOptions(
    platform.options,
    (await spec()).platform,
    `machines.${at.machine}.platform`,
    at.machine,
  )
  return optionChanges(platform, at, options, resource)
}

/**
 * Each recorded machine's changed options, for `info`: a machine whose config
 * cannot be read here is left out. Only a machine function needs the other
 * machines' results, and only then are they asked of their platforms.
 */
export async function changedOptionsOfAll(
  ctx: EngineContext,
  state: DeploymentState,
  loaded: {
    config: Pick<NormalizedConfig, 'file' | 'guardedCalls'>
    deployment: ConfigDeployment
    analysis: DeploymentAnalysis
    registry: PluginRegistry
  },
): Promise<Map<string, MachineOptionChange[]>> {
  const found = new Map<string, MachineOptionChange[]>()
  // Machine functions run under --config-timeout, as in deploy and check.
  const resolveMachine = boundedResolver(ctx, loaded.config)
  const input = { state, plugins: loaded.registry, stateDir: ctx.store.dir, emit: ctx.emit }
  let results: Promise<MachineResults> | undefined
  const resultsOnce = () => {
    const signal = new AbortController().signal
    results ??= recordedResults({ ...input, signal }).then(Object.fromEntries, () => ({}))
    return results
  }
  for (const name of loaded.analysis.order) {
    const recorded = state.machines[name]
    const definition = loaded.deployment.definition.machines[name]
    if (!recorded?.resource || !definition) continue
    const platform = await loaded.registry.platform(recorded.platform).catch(() => undefined)
    if (!platform?.optionChanges) continue
    const needs = typeof definition === 'function' ? await resultsOnce() : {}
    const at = { deployment: state.name, machine: name }
    const spec = () => resolveMachine(name, definition, needs)
    const changes = await changedOptions(platform, at, spec, recorded.resource).catch(() => [])
    if (changes.length > 0) found.set(name, changes)
  }
  return found
}
