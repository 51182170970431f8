/** Loads a deployment's config and the plugins it can use. */
import path from 'node:path'
import { GuixOpsError } from '@guix-ops/plugin-api'
import { ErrorCode } from '../codes.js'
import {
  analyzeDeployment,
  type ConfigDeployment,
  closest,
  DEFAULT_CONFIG_TIMEOUT_MS,
  type DeploymentAnalysis,
  type EvaluationDeadline,
  isScriptConfig,
  loadConfig,
  type NormalizedConfig,
  normalizeConfig,
  stopWatchdog,
  withinDeadline,
} from '../config/index.js'
import { type MachineResolver, resolveMachine } from '../graph/index.js'
import { PluginRegistry } from '../registry/index.js'
import { type DeploymentState, heldLockFiles } from '../state/index.js'
import type { EngineContext } from './context.js'

/** How long the config's own code may run; past it the locks this process holds are removed. */
function deadline(ctx: EngineContext): EvaluationDeadline {
  return {
    ms: ctx.configTimeoutMs ?? DEFAULT_CONFIG_TIMEOUT_MS,
    heldFiles: heldLockFiles,
    ...(ctx.renderFatal ? { render: ctx.renderFatal } : {}),
  }
}

export async function readConfig(ctx: EngineContext, file: string | undefined): Promise<NormalizedConfig> {
  const loaded = await loadConfig({ ...(file === undefined ? {} : { file }), cwd: ctx.cwd, deadline: deadline(ctx) })
  return normalizeConfig(loaded)
}

/** The deployment named `name` in the config, or its only one. */
export function pickDeployment(config: NormalizedConfig, name: string | undefined): ConfigDeployment {
  const names = config.deployments.map((d) => d.definition.name)
  if (name === undefined) {
    if (config.deployments.length === 1) return config.deployments[0]!
    throw new GuixOpsError(
      ErrorCode.DeploymentRequired,
      `${config.file} defines ${names.length} deployments; say which`,
      {
        where: { file: config.file },
        suggestion: `pass -d with one of: ${names.join(', ')}`,
      },
    )
  }
  const found = config.deployments.find((d) => d.definition.name === name)
  if (found) return found
  const guess = closest(name, names)
  throw new GuixOpsError(ErrorCode.DeploymentNotInConfig, `${config.file} defines no deployment "${name}"`, {
    where: { file: config.file, deployment: name },
    suggestion: `${guess ? `did you mean "${guess}"? ` : ''}it defines: ${names.join(', ')}`,
  })
}

export function registryFor(
  ctx: EngineContext,
  config: NormalizedConfig,
  deployment: ConfigDeployment,
  state?: DeploymentState,
): PluginRegistry {
  return PluginRegistry.discover({
    ...(state ? { recordedProviders: recordedProviders(state) } : {}),
    configPlugins: deployment.plugins,
    projectDir: path.dirname(config.file),
    cliPlugins: ctx.cliPlugins ?? [],
  })
}

/** `kind:name` -> providing package, as recorded at the last deploy. */
function recordedProviders(state: DeploymentState): Record<string, string> {
  const providers: Record<string, string> = {}
  for (const machine of Object.values(state.machines)) {
    if (machine.platformPackage) providers[`platform:${machine.platform}`] = machine.platformPackage
    if (machine.systemPackage) providers[`system:${machine.system}`] = machine.systemPackage
  }
  return providers
}

/** Loads, picks and fully validates one deployment of a config file. */
export async function analyzeConfig(
  ctx: EngineContext,
  file: string | undefined,
  name: string | undefined,
  state?: DeploymentState,
  /** The config as the caller read it already: each read runs its code again. */
  read?: NormalizedConfig,
): Promise<{
  config: NormalizedConfig
  deployment: ConfigDeployment
  analysis: DeploymentAnalysis
  registry: PluginRegistry
}> {
  const config = read ?? (await readConfig(ctx, file))
  const deployment = pickDeployment(config, name)
  const registry = registryFor(ctx, config, deployment, state)
  // Machine functions (and getters) run here for the first time: they are the config's code too.
  // A JSON or YAML config has none: no deadline, so no watchdog thread (~12 MB).
  const analyze = () => analyzeDeployment(config.file, deployment, registry)
  const analysis = isScriptConfig(config.file)
    ? await withinDeadline(config.file, deadline(ctx), analyze, watchdogFor(config))
    : await analyze()
  // The config's code has run: its watchdog thread need not outlive it.
  stopWatchdog()
  return { config, deployment, analysis, registry }
}

/**
 * Calls machine functions again with real results (deploy, check), bounded
 * as at validation: they are the config's code too, and one that never
 * returns must fail its machine, not hang the command. Plain machines run
 * no code: no watchdog thread for them. The caller ends the thread with
 * `stopWatchdog()` once it resolves no more machines: a thread per call
 * cost 30 machine functions ~10x the time and ~25 MB more peak memory.
 */
export function boundedResolver(
  ctx: EngineContext,
  config: Pick<NormalizedConfig, 'file' | 'guardedCalls'>,
): MachineResolver {
  return async (name, definition, results) => {
    if (typeof definition !== 'function') return definition
    const call = () => resolveMachine(name, definition, results)
    return withinDeadline(config.file, { ...deadline(ctx), machine: name }, call, watchdogFor(config))
  }
}

/** A config whose every call is bounded on its own (config/guarded-call.ts) starts the watchdog thread only if it must. */
const watchdogFor = (config: Pick<NormalizedConfig, 'guardedCalls'>) =>
  ({ watchdog: config.guardedCalls ? 'on-demand' : 'now' }) as const
