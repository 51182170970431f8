/**
 * `check`: is each machine where the state says it is? Its platform status,
 * its host key against the pinned one, uptime and load, and drift: what on
 * the host differs from what the last deploy applied.
 */
import path from 'node:path'
import type { Drift, PlatformStatus } from '@guix-ops/plugin-api'
import { isGuixOpsError } from '@guix-ops/plugin-api'
import { ErrorCode } from '../codes.js'
import { stopWatchdog } from '../config/index.js'
import {
  type GenerationMismatch,
  generationMismatch,
  type MachineOptionChange,
  pluginContext,
  recordedResults,
  selectMachines,
  validOptions,
} from '../deploy/index.js'
import { type KeyHealth, keyHealth } from '../keys/index.js'
import { connectSsh, endpointTarget } from '../ssh/index.js'
import type { DeploymentState } from '../state/index.js'
import { changedOptions } from './changed-options.js'
import { analyzeConfig, boundedResolver } from './config-source.js'
import type { EngineContext } from './context.js'
import { followHostGenerations } from './host-generations.js'
import { findDeployment } from './lookup.js'

export interface MachineCheck {
  machine: string
  status: PlatformStatus | 'not-deployed'
  hostKey: 'verified' | 'changed' | 'not-checked'
  uptimeSeconds?: number
  load?: [number, number, number]
  drift: Drift[]
  /** Platform options the config changed since the machine was made: what deploy changes, what needs re-creating. */
  options?: MachineOptionChange[]
  /**
   * The state recorded another generation in force than the host has (a
   * deploy killed before it confirmed, undone on the host); the state now
   * follows the host.
   */
  reconciled?: GenerationMismatch
  /** Deployment keys the host lacks (after a reboot) or holds a stale value of. */
  keys?: KeyHealth
  /** What kept the check from completing, if anything. */
  error?: string
  /** Its code, when it has one. */
  errorCode?: string
}

export interface CheckReport {
  deployment: { id: string; name: string }
  machines: MachineCheck[]
  /** True when every machine is up, verified and without drift. */
  healthy: boolean
}

/** The plugin context for one recorded machine of the deployment. */
function machineContext(ctx: EngineContext, state: DeploymentState, machine: string, signal: AbortSignal) {
  const recorded = state.machines[machine]
  return pluginContext({
    stateDir: ctx.store.dir,
    deployment: { id: state.id, name: state.name },
    machine,
    signal,
    emit: ctx.emit,
    hostKey: recorded?.hostKey,
    jumpHostKey: recorded?.jumpHostKey,
    configDir: path.dirname(state.configPath),
  })
}

export async function checkDeployment(
  ctx: EngineContext,
  options: { deployment: string | undefined; include?: string[]; tags?: string[] },
): Promise<CheckReport> {
  const state = await findDeployment(ctx, options.deployment)
  const { config, deployment, analysis, registry } = await analyzeConfig(ctx, state.configPath, state.name, state)
  const tags = Object.fromEntries(analysis.machines.map((m) => [m.name, m.tags]))
  const names = selectMachines(analysis.order, tags, {
    ...(options.include ? { include: options.include } : {}),
    ...(options.tags ? { tags: options.tags } : {}),
  })
  const signal = new AbortController().signal
  const results = Object.fromEntries(
    await recordedResults({ state, plugins: registry, stateDir: ctx.store.dir, emit: ctx.emit, signal }),
  )
  const label = { id: state.id, name: state.name }
  const resolveMachine = boundedResolver(ctx, config)
  const machineSpec = (name: string) => resolveMachine(name, deployment.definition.machines[name]!, results)

  const checkOne = async (name: string): Promise<MachineCheck> => {
    const recorded = state.machines[name]
    if (!recorded?.resource) return { machine: name, status: 'not-deployed', hostKey: 'not-checked', drift: [] }
    const check: MachineCheck = { machine: name, status: 'unknown', hostKey: 'not-checked', drift: [] }
    try {
      const platform = await registry.platform(recorded.platform)
      const pctx = await machineContext(ctx, state, name, signal)
      const at = { deployment: state.name, machine: name }
      const changed = await changedOptions(platform, at, () => machineSpec(name), recorded.resource)
      if (changed.length > 0) check.options = changed
      check.status = await platform.status(pctx, recorded.resource)
      if (check.status !== 'up') return check
      const endpoint = await platform.ssh(pctx, recorded.resource)
      const hostKey = recorded.hostKey ?? endpoint.hostKey
      const jumpHostKey = recorded.jumpHostKey ?? endpoint.jump?.hostKey
      const session = await connectSsh(endpointTarget(endpoint, hostKey, jumpHostKey), {
        label: { deployment: state.name, machine: name },
      })
      try {
        check.hostKey = hostKey && (jumpHostKey || !endpoint.jump) ? 'verified' : 'not-checked'
        const proc = await session.exec(['cat', '/proc/uptime', '/proc/loadavg'], { sudo: false })
        const numbers = proc.stdout.split(/\s+/).map(Number)
        if (Number.isFinite(numbers[0])) check.uptimeSeconds = Math.round(numbers[0]!)
        if (numbers.length >= 5) check.load = [numbers[2]!, numbers[3]!, numbers[4]!]
        const spec = await machineSpec(name)
        const system = await registry.system(spec.system.type)
        const systemOptions = await validOptions(system.options, spec.system, `machines.${name}.system`, name)
        const systemCtx = { ...pctx, host: session }
        // Only a host whose key is pinned may correct the state: any host could answer at an unpinned address.
        const mismatch =
          check.hostKey === 'verified' ? await generationMismatch(system, systemCtx, recorded) : undefined
        if (mismatch) check.reconciled = mismatch
        check.drift = await system.check(systemCtx, systemOptions)
        const keys = await keyHealth(session, name, spec, recorded.keys, path.dirname(state.configPath))
        if (keys) check.keys = keys
      } finally {
        session.close()
      }
    } catch (error) {
      if (isGuixOpsError(error) && error.code === ErrorCode.SshHostKeyChanged) check.hostKey = 'changed'
      check.error = error instanceof Error ? error.message : String(error)
      if (isGuixOpsError(error)) check.errorCode = error.code
    }
    return check
  }

  const machines = await Promise.all(names.map(checkOne)).finally(stopWatchdog)
  await followHostGenerations(ctx, state, machines)
  return { deployment: label, machines, healthy: machines.every(isHealthy) }
}

/** Up, verified, without drift or changed options, and with every key current. */
function isHealthy(m: MachineCheck): boolean {
  const keysCurrent = !m.keys?.missing.length && !m.keys?.stale.length
  const asConfigured = m.drift.length === 0 && !m.options?.length
  return m.status === 'up' && m.hostKey === 'verified' && asConfigured && !m.error && keysCurrent
}
