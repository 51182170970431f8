/**
 * Lifecycle hooks, in the order the deploy pipeline calls them for each
 * machine. They are tapable hooks: a plugin taps them by name,
 * `hooks.afterActivate.tapPromise('chat-notify', async (event) => ...)`, and
 * every failure of a tap is reported with that name and the machine.
 *
 * Waterfall hooks may return a changed value; the others only observe or
 * throw to stop that machine.
 */
import type { AsyncSeriesHook, AsyncSeriesWaterfallHook } from 'tapable'
import type { MachineResult, MachineSpec } from './deployment.js'
import type { Generation, SystemPlan } from './system.js'

/** Names of the lifecycle hooks, in pipeline order. */
export const LIFECYCLE_HOOKS = [
  'resolveMachine',
  'beforeProvision',
  'afterProvision',
  'beforeConnect',
  'afterConnect',
  'afterPlan',
  'beforeActivate',
  'afterActivate',
  'machineFailed',
  'deploymentFinished',
] as const

export type LifecycleHookName = (typeof LIFECYCLE_HOOKS)[number]

export interface MachineEvent {
  deployment: { id: string; name: string }
  machine: string
}

export interface DeploymentSummary {
  deployment: { id: string; name: string }
  changed: string[]
  unchanged: string[]
  failed: { machine: string; error: string }[]
  skipped: { machine: string; reason: string }[]
}

export interface LifecycleHooks {
  /** A machine's config is known (functions evaluated); may return a changed spec. */
  resolveMachine: AsyncSeriesWaterfallHook<[MachineSpec, MachineEvent]>
  /** Before the platform creates or finds the machine. */
  beforeProvision: AsyncSeriesHook<[MachineEvent]>
  /** The platform answered; the result is what dependents will read. */
  afterProvision: AsyncSeriesHook<[MachineEvent, MachineResult]>
  /** Before the first SSH connection (host key not yet verified). */
  beforeConnect: AsyncSeriesHook<[MachineEvent]>
  /** Connected, host key verified against the pinned one. */
  afterConnect: AsyncSeriesHook<[MachineEvent]>
  /** The system driver planned; may return a changed plan. */
  afterPlan: AsyncSeriesWaterfallHook<[SystemPlan, MachineEvent]>
  /** About to apply the plan. */
  beforeActivate: AsyncSeriesHook<[MachineEvent, SystemPlan]>
  /** Applied and confirmed; a new generation exists. */
  afterActivate: AsyncSeriesHook<[MachineEvent, Generation]>
  /** A step failed for this machine; observe only. */
  machineFailed: AsyncSeriesHook<[MachineEvent, Error]>
  /** Every machine is done, changed, unchanged, failed or skipped. */
  deploymentFinished: AsyncSeriesHook<[DeploymentSummary]>
}

/** A plugin that taps lifecycle hooks, like a webpack plugin. */
export interface HookPlugin {
  name: string
  apply(hooks: LifecycleHooks): void
}

/** Identity helper: returns its argument; exists for types and completion. */
export function defineHooks(plugin: HookPlugin): HookPlugin {
  return plugin
}
