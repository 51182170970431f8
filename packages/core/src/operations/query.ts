/** `list` and `info`: what the state records, and what the config says now. */

import type { ErrorJson } from '@guix-ops/plugin-api'
import { isGuixOpsError } from '@guix-ops/plugin-api'
import { type DeploymentAnalysis, type MachineSummary, stopWatchdog } from '../config/index.js'
import type { MachineOptionChange } from '../deploy/index.js'
import type { DeploymentState, LockInfo } from '../state/index.js'
import { changedOptionsOfAll } from './changed-options.js'
import { analyzeConfig } from './config-source.js'
import type { EngineContext } from './context.js'
import { findDeployment, reportProblems } from './lookup.js'
import { liveMachines } from './machines-state.js'

export interface DeploymentListItem {
  id: string
  name: string
  description?: string
  configPath: string
  machines: number
  live: number
  updatedAt: string
  locked?: LockInfo
}

export async function listDeployments(ctx: EngineContext): Promise<DeploymentListItem[]> {
  const { deployments, problems } = await ctx.store.list()
  reportProblems(ctx, problems)
  return Promise.all(
    deployments.map(async (d) => {
      const lock = await ctx.store.readLock(d.name).catch(() => undefined)
      return {
        id: d.id,
        name: d.name,
        ...(d.description ? { description: d.description } : {}),
        configPath: d.configPath,
        machines: Object.keys(d.machines).length,
        live: liveMachines(d.machines).length,
        updatedAt: d.updatedAt,
        ...(lock ? { locked: lock } : {}),
      }
    }),
  )
}

/** A machine as the config describes it, and what the state records of it. */
export interface MachineInfo extends MachineSummary {
  /** `not-created` until a deploy creates it; then what the state last recorded. */
  recorded: 'not-created' | 'created'
  address?: string
  inConfig: boolean
  generations: number
  /** Platform options the config changed since the machine was made (what deploy changes, what needs re-creating). */
  options?: MachineOptionChange[]
}

export interface DeploymentInfo {
  state: DeploymentState
  machines: MachineInfo[]
  levels: string[][]
  locked?: LockInfo
  /** Set when the config no longer loads or validates; the state is shown anyway. */
  configError?: ErrorJson
}

export async function deploymentInfo(ctx: EngineContext, nameOrId: string | undefined): Promise<DeploymentInfo> {
  const state = await findDeployment(ctx, nameOrId)
  const lock = await ctx.store.readLock(state.name).catch(() => undefined)
  let analysis: DeploymentAnalysis | undefined
  let configError: ErrorJson | undefined
  let changed = new Map<string, MachineOptionChange[]>()
  try {
    const loaded = await analyzeConfig(ctx, state.configPath, state.name, state)
    analysis = loaded.analysis
    changed = await changedOptionsOfAll(ctx, state, loaded).finally(stopWatchdog)
  } catch (error) {
    if (!isGuixOpsError(error)) throw error
    configError = error.toJSON()
  }
  const fromConfig = new Map((analysis?.machines ?? []).map((m) => [m.name, m]))
  const names = [...new Set([...(analysis?.order ?? []), ...fromConfig.keys(), ...Object.keys(state.machines)])]
  const machines = names.map((name): MachineInfo => {
    const recorded = state.machines[name]
    const configured = fromConfig.get(name)
    return {
      name,
      platform: configured?.platform ?? recorded?.platform ?? '?',
      system: configured?.system ?? recorded?.system ?? '?',
      tags: configured?.tags ?? [],
      dependencies: configured?.dependencies ?? [],
      parameterized: configured?.parameterized ?? false,
      recorded: recorded?.resource === undefined ? 'not-created' : 'created',
      ...(recorded?.address ? { address: recorded.address } : {}),
      inConfig: configured !== undefined,
      generations: recorded?.generations?.length ?? 0,
      ...(changed.has(name) ? { options: changed.get(name)! } : {}),
    }
  })
  return {
    state,
    machines,
    levels: analysis?.levels ?? [],
    ...(lock ? { locked: lock } : {}),
    ...(configError ? { configError } : {}),
  }
}
