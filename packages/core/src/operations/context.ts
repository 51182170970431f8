/**
 * What every operation needs: the state store, where plugins come from, and
 * a way to tell the user things without printing (the CLI renders events).
 */
import type { GuixOpsError } from '@guix-ops/plugin-api'
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
  /** How long a config may take to evaluate (default 30 s). */
  configTimeoutMs?: number
  /** How an error reads on stdout and stderr, for when the process must end without throwing it. */
  renderFatal?: (error: GuixOpsError) => { stdout?: string; stderr?: string }
}
