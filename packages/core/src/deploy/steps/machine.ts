/** What the steps of one machine's deploy hand on to each other. */
import type {
  LifecycleHooks,
  MachineDefinition,
  MachineEvent,
  MachineResult,
  PlatformDefinition,
  PluginContext,
  SystemDefinition,
} from '@guix-ops/plugin-api'
import type { MachineResolver } from '../../graph/index.js'
import type { LoadedKey } from '../../keys/index.js'
import type { PluginResolver } from '../../registry/index.js'
import type { MachineState } from '../../state/index.js'
import type { StateWriter } from '../state-writer.js'
import type { DeployEvent } from '../types.js'

export interface MachineRun {
  name: string
  definition: MachineDefinition
  /** Results of machines deployed so far in this run (and recorded before it). */
  results: Map<string, MachineResult>
  plugins: PluginResolver
  hooks: LifecycleHooks
  writer: StateWriter
  stateDir: string
  dryRun: boolean
  /** `deploy --take-over`: the driver may manage a host that others manage already. */
  takeOver: boolean
  signal: AbortSignal
  emit: (event: DeployEvent) => void
  /** The machine's deployment keys, when read before the run started. */
  keys?: LoadedKey[] | undefined
  /** Calls the machine's function, if it is one, with the results it reads (bounded by the config's deadline). */
  resolveMachine?: MachineResolver | undefined
}

/** A machine once its config is resolved: its plugins, their checked options, and what state holds for it. */
export interface ResolvedMachine {
  event: MachineEvent
  platform: PlatformDefinition
  system: SystemDefinition
  platformOptions: unknown
  systemOptions: unknown
  /** The machine's record in state when the deploy began. */
  recorded: MachineState | undefined
  ctx: PluginContext
  /** The machine's deployment keys with their values: never part of what plugins and hooks see. */
  keys: LoadedKey[]
}

/** Tells the user which step a machine has reached. */
export function announce(
  run: MachineRun,
  step: 'resolve' | 'provision' | 'connect' | 'plan' | 'apply',
  message: string,
): void {
  run.emit({ type: 'step', machine: run.name, step, message })
}
