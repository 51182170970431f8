/**
 * What every operation needs: the state store, where plugins come from, and
 * a way to tell the user things without printing (the CLI renders events).
 */
import type { DeployEvent } from '../deploy/index.js'
import type { CliPlugin } from '../registry/index.js'
import type { StateStore } from '../state/index.js'

export type EngineEvent =
  | { type: 'warning'; code?: string; message: string; file?: string }
  | { type: 'info'; message: string }
  | DeployEvent

export interface EngineContext {
  store: StateStore
  /** Directory relative paths are resolved from (the user's cwd). */
  cwd: string
  /** Recorded in locks: `guix-ops modify`. */
  command: string
  /** The CLI's plugins, bundled and installed alike (oclif's list). */
  cliPlugins?: readonly CliPlugin[]
  emit: (event: EngineEvent) => void
}
