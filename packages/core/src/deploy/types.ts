/** What a deploy is asked to do, and what it reports. */
import type { ErrorJson, Generation, PlannedChange } from '@guix-ops/plugin-api'

export interface DeployOptions {
  /** Only these machines (and nothing else), by name. */
  include?: string[]
  /** Every machine but these. */
  exclude?: string[]
  /** Only machines with one of these tags (`--on @web`). */
  tags?: string[]
  /** How many machines are worked on at once (default DEFAULT_PARALLEL). */
  parallel?: number
  /** `continue`: other machines go on when one fails; `abort`: everything stops. */
  onFailure?: 'continue' | 'abort'
  /** Plan only: report each machine's changes, change nothing on any machine. */
  dryRun?: boolean
  /** Let system drivers manage hosts that another deployment or machine manages already. */
  takeOver?: boolean
}

export type MachineOutcomeStatus = 'changed' | 'unchanged' | 'planned' | 'failed' | 'skipped'

export interface MachineOutcome {
  machine: string
  status: MachineOutcomeStatus
  /** Why it failed or was skipped. */
  reason?: string
  error?: ErrorJson
  changes?: PlannedChange[]
  generation?: Generation
}

export type DeployStep = 'resolve' | 'provision' | 'connect' | 'plan' | 'apply' | 'done' | 'failed' | 'skipped'

export type DeployEvent =
  | { type: 'step'; machine: string; step: DeployStep; message: string }
  | { type: 'progress'; machine: string; message: string; done?: number; total?: number }
  | { type: 'log'; machine: string; level: 'debug' | 'info' | 'warn' | 'error'; message: string }

export interface DeploySummary {
  deployment: { id: string; name: string }
  dryRun: boolean
  outcomes: MachineOutcome[]
  changed: string[]
  unchanged: string[]
  failed: { machine: string; error: string }[]
  skipped: { machine: string; reason: string }[]
}
