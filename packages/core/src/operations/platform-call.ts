/**
 * One platform method on chosen machines of a deployment: look up each
 * machine's platform, require the capability, build its plugin context,
 * call. `reboot`, `start`, `stop` and `destroy` differ only in the call.
 */
import path from 'node:path'
import {
  GuixOpsError,
  isGuixOpsError,
  type JsonObject,
  type PlatformCapability,
  type PlatformDefinition,
  type PluginContext,
} from '@guix-ops/plugin-api'
import { ErrorCode } from '../codes.js'
import { pluginContext } from '../deploy/index.js'
import { requireCapability } from '../platforms/index.js'
import type { PluginRegistry } from '../registry/index.js'
import type { DeploymentState, MachineState } from '../state/index.js'
import { pickDeployment, readConfig, registryFor } from './config-source.js'
import type { EngineContext } from './context.js'

export interface MachineCall {
  machine: string
  recorded: MachineState
  resource: JsonObject
  platform: PlatformDefinition
  pctx: PluginContext
}

/** A machine's failure as commands report it: the message, and the code and hint when there are. */
export interface MachineFailure {
  error?: string
  code?: string
  suggestion?: string
}

/**
 * The machines named (all recorded ones that exist when none are), checked
 * before anything happens: an unknown name is a usage error, and so is a
 * machine never deployed when `deployed` is required.
 */
export function chooseMachines(
  state: DeploymentState,
  names: readonly string[],
  options: { deployed: boolean },
): string[] {
  if (names.length === 0) return Object.keys(state.machines).filter((m) => state.machines[m]?.resource)
  const unknown = names.filter((m) => !state.machines[m])
  if (unknown.length > 0) {
    throw new GuixOpsError(
      ErrorCode.Usage,
      `deployment "${state.name}" has no machine ${unknown.map((m) => `"${m}"`).join(', ')}`,
      { where: { deployment: state.name }, suggestion: `machines: ${Object.keys(state.machines).join(', ')}` },
    )
  }
  const undeployed = options.deployed ? names.find((m) => !state.machines[m]?.resource) : undefined
  if (undeployed !== undefined) {
    throw new GuixOpsError(ErrorCode.NotDeployed, `machine "${undeployed}" has not been deployed yet`, {
      where: { deployment: state.name, machine: undeployed },
      suggestion: `run "guix-ops deploy -d ${state.name} --include ${undeployed}" first`,
    })
  }
  return [...new Set(names)]
}

/** The plugins the deployment's config can use. */
export async function deploymentRegistry(ctx: EngineContext, state: DeploymentState): Promise<PluginRegistry> {
  const config = await readConfig(ctx, state.configPath)
  return registryFor(ctx, config, pickDeployment(config, state.name), state)
}

/** Runs `work` with the machine's platform, once the platform is known to have `capability`. */
export async function onPlatform<T>(
  ctx: EngineContext,
  state: DeploymentState,
  registry: PluginRegistry,
  machine: string,
  capability: PlatformCapability | undefined,
  work: (call: MachineCall) => Promise<T>,
): Promise<T> {
  const recorded = state.machines[machine]!
  const platform = await registry.platform(recorded.platform)
  if (capability) requireCapability(platform, capability, machine)
  const pctx = await pluginContext({
    stateDir: ctx.store.dir,
    deployment: { id: state.id, name: state.name },
    machine,
    signal: new AbortController().signal,
    emit: ctx.emit,
    hostKey: recorded.hostKey,
    jumpHostKey: recorded.jumpHostKey,
    configDir: path.dirname(state.configPath),
  })
  return work({ machine, recorded, resource: recorded.resource ?? {}, platform, pctx })
}

export function failureOf(error: unknown): MachineFailure {
  if (isGuixOpsError(error)) {
    return { error: error.message, code: error.code, ...(error.suggestion ? { suggestion: error.suggestion } : {}) }
  }
  return { error: error instanceof Error ? error.message : String(error) }
}

/** `onPlatform` on every machine at once; a machine that fails is reported, the others go on. */
export async function eachMachine<T extends object>(
  ctx: EngineContext,
  state: DeploymentState,
  machines: readonly string[],
  capability: PlatformCapability,
  work: (call: MachineCall) => Promise<T>,
): Promise<(({ machine: string } & T) | ({ machine: string } & MachineFailure))[]> {
  const registry = await deploymentRegistry(ctx, state)
  return Promise.all(
    machines.map(async (machine) => {
      try {
        return { machine, ...(await onPlatform(ctx, state, registry, machine, capability, work)) }
      } catch (error) {
        return { machine, ...failureOf(error) }
      }
    }),
  )
}
