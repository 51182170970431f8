/**
 * A whole deploy: machines in dependency order, independent ones in
 * parallel, each recorded in state as it goes; a summary at the end says
 * which changed, which did not, which failed and why, and which were skipped.
 */

import path from 'node:path'
import type { DeploymentDefinition, LifecycleHooks } from '@guix-ops/plugin-api'
import { isGuixOpsError } from '@guix-ops/plugin-api'
import type { DeploymentAnalysis } from '../config/index.js'
import type { MachineResolver } from '../graph/index.js'
import { preloadKeys } from '../keys/index.js'
import type { PluginResolver } from '../registry/index.js'
import { deployMachine } from './deploy-machine.js'
import { DEFAULT_PARALLEL } from './parallel.js'
import { recordedResults } from './recorded-results.js'
import { schedule } from './scheduler.js'
import { selectMachines } from './select.js'
import type { StateWriter } from './state-writer.js'
import type { DeployEvent, DeployOptions, DeploySummary, MachineOutcome } from './types.js'

export interface DeploymentRun {
  definition: DeploymentDefinition
  analysis: DeploymentAnalysis
  writer: StateWriter
  plugins: PluginResolver
  hooks: LifecycleHooks
  stateDir: string
  options: DeployOptions
  emit: (event: DeployEvent) => void
  signal?: AbortSignal
  /** Calls machine functions with real results; bounded by the config's deadline when given. */
  resolveMachine?: MachineResolver
}

export async function runDeployment(run: DeploymentRun): Promise<DeploySummary> {
  const { analysis, options } = run
  const tags = Object.fromEntries(analysis.machines.map((m) => [m.name, m.tags]))
  const dependencies = Object.fromEntries(analysis.machines.map((m) => [m.name, m.dependencies]))
  const selected = selectMachines(analysis.order, tags, options)
  const abort = new AbortController()
  run.signal?.addEventListener('abort', () => abort.abort(), { once: true })
  const results = await recordedResults(
    { state: run.writer.state, plugins: run.plugins, stateDir: run.stateDir, emit: run.emit, signal: abort.signal },
    new Set(selected),
  )
  const keys = await preloadKeys(run.definition.machines, selected, path.dirname(run.writer.state.configPath))
  const outcomes = new Map<string, MachineOutcome>()
  const deployment = { id: run.writer.state.id, name: run.writer.state.name }

  const scheduled = await schedule(
    selected,
    dependencies,
    Math.max(1, options.parallel ?? DEFAULT_PARALLEL),
    options.onFailure === 'abort',
    async (name) => {
      try {
        const outcome = await deployMachine({
          name,
          definition: run.definition.machines[name]!,
          results,
          plugins: run.plugins,
          hooks: run.hooks,
          writer: run.writer,
          stateDir: run.stateDir,
          dryRun: options.dryRun === true,
          takeOver: options.takeOver === true,
          signal: abort.signal,
          emit: run.emit,
          keys: keys.get(name),
          resolveMachine: run.resolveMachine,
        })
        outcomes.set(name, outcome)
        run.emit({ type: 'step', machine: name, step: 'done', message: outcome.status })
        return { ok: true }
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error)
        outcomes.set(name, {
          machine: name,
          status: 'failed',
          reason: message,
          ...(isGuixOpsError(error) ? { error: error.toJSON() } : {}),
        })
        run.emit({ type: 'step', machine: name, step: 'failed', message })
        await run.hooks.machineFailed.promise({ deployment, machine: name }, error as Error).catch(() => undefined)
        if (options.onFailure === 'abort') abort.abort()
        return { ok: false, reason: message }
      }
    },
  )
  for (const [name, reason] of scheduled.skipped) {
    outcomes.set(name, { machine: name, status: 'skipped', reason })
    run.emit({ type: 'step', machine: name, step: 'skipped', message: reason })
  }
  await run.writer.flush()

  const summary = summarize(deployment, options.dryRun === true, selected.map((m) => outcomes.get(m)!).filter(Boolean))
  await run.hooks.deploymentFinished.promise(summary).catch(() => undefined)
  return summary
}

/** What the run did, machine by machine, in deploy order. */
function summarize(deployment: DeploySummary['deployment'], dryRun: boolean, ordered: MachineOutcome[]): DeploySummary {
  return {
    deployment,
    dryRun,
    outcomes: ordered,
    changed: ordered.filter((o) => o.status === 'changed').map((o) => o.machine),
    unchanged: ordered.filter((o) => o.status === 'unchanged').map((o) => o.machine),
    failed: ordered.filter((o) => o.status === 'failed').map((o) => ({ machine: o.machine, error: o.reason ?? '' })),
    skipped: ordered.filter((o) => o.status === 'skipped').map((o) => ({ machine: o.machine, reason: o.reason ?? '' })),
  }
}
