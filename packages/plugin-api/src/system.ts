/**
 * The system driver contract: what configures the operating system of an
 * `up` machine, over SSH. Drivers ship with guix-ops for `debian` and `guix`;
 * third parties add their own the same way.
 *
 * The core calls `validate` (if the driver has it) at `create`, `modify` and
 * `deploy` before any machine is provisioned or contacted; then, for each
 * machine on deploy: `plan` (what would change), then, unless `--dry-run`,
 * `apply` (make it so; record a generation).
 * `check` reports drift from the last generation; `generations` lists them;
 * `rollback` returns to an earlier one.
 */
import type { PluginContext } from './context.js'
import type { JsonObject } from './json.js'
import type { StandardSchemaV1 } from './schema.js'
import type { ApiVersion } from './version.js'

export interface ExecResult {
  stdout: string
  stderr: string
  /** Exit status of the remote command; null if it died from a signal. */
  code: number | null
}

export interface ExecOptions {
  /** Bytes for the command's standard input. */
  stdin?: string | Uint8Array
  /** Run as root through sudo when the SSH user is not root. */
  sudo?: boolean
  /** Called with output as it arrives, for progress. */
  onStdout?: (chunk: string) => void
  onStderr?: (chunk: string) => void
}

/**
 * A connected machine. Commands are argument arrays: the transport quotes
 * each argument for the remote shell; no driver builds shell strings.
 */
export interface RemoteHost {
  exec(argv: readonly string[], options?: ExecOptions): Promise<ExecResult>
  upload(path: string, content: string | Uint8Array, options?: { mode?: number; owner?: string }): Promise<void>
  download(path: string): Promise<Uint8Array>
}

export interface SystemContext extends PluginContext {
  host: RemoteHost
  /**
   * Set by `deploy --take-over`: the operator allows this machine to manage
   * a host that another deployment (or another machine) already manages.
   * Without it, a driver that finds such a host refuses to change it.
   */
  takeOver?: boolean
}

/** One planned change, as `deploy --dry-run` prints it. */
export interface PlannedChange {
  action: 'create' | 'update' | 'delete'
  /** What changes: `package postgresql`, `file /etc/shop.env`. */
  subject: string
  detail?: string
}

export interface SystemPlan {
  changes: PlannedChange[]
  /** Driver-private data handed back to `apply`. */
  data?: JsonObject
}

export interface Generation {
  number: number
  createdAt: string
  current: boolean
  description?: string
  /** Driver-private data: the applied config, a store path. */
  data?: JsonObject
}

/** Something on the host that differs from the last generation. */
export interface Drift {
  subject: string
  expected?: string
  actual?: string
}

/** What `validate` is given: where the config is, and no host. */
export interface ValidationContext {
  deployment: { name: string }
  machine: string
  /** The directory of the deployment's config file: relative paths in options start there. */
  configDir: string
  /**
   * True for a value computed from a machine not deployed yet (its address,
   * say): a stand-in for the real value, which cannot be judged now.
   */
  isPending(value: unknown): boolean
}

export interface Validation {
  /** One line on how `apply` would go about it; `deploy --dry-run` shows it for a machine not created yet. */
  summary?: string
}

export interface SystemDefinition<Options = unknown> {
  /** The `type` users write in `system: { type: ... }`. */
  name: string
  apiVersion: ApiVersion
  description?: string
  /** Validates `system` options; issue paths name the offending field. */
  options: StandardSchemaV1<unknown, Options>

  /**
   * Optional. Checks, on this machine and without any host, what the
   * options name: the files they point to and their syntax. Called at
   * `create`, `modify` and `deploy` (`--dry-run` too) before any machine is
   * provisioned or contacted, so bad input stops there. Throws a
   * GuixOpsError naming the file and place at fault; changes nothing.
   */
  validate?(ctx: ValidationContext, options: Options): Promise<Validation | undefined>
  /** What `apply` would change; must not change anything. */
  plan(ctx: SystemContext, options: Options): Promise<SystemPlan>
  /**
   * Realizes the plan and returns the generation it created. A driver may
   * arm an automatic rollback on the target before returning (as deploy-rs
   * does): the core then opens a fresh SSH connection and calls `confirm`
   * over it; if that connection cannot be made, the target rolls back alone.
   */
  apply(ctx: SystemContext, options: Options, plan: SystemPlan): Promise<Generation>
  /** Called over a fresh connection after `apply`: cancels the target's automatic rollback. */
  confirm?(ctx: SystemContext): Promise<void>
  /** Differences between the host and the last generation. */
  check(ctx: SystemContext, options: Options): Promise<Drift[]>
  generations(ctx: SystemContext): Promise<Generation[]>
  /**
   * The number of the generation in force, as the host's own record says
   * (optional; undefined when the host has none). The core calls it at
   * each deploy, while `plan` runs on the same connection (so it must only
   * read), and at each check; when its state says otherwise (a CLI killed
   * before confirming, whose change the host then undid), it records this
   * one and tells the user.
   */
  currentGeneration?(ctx: SystemContext): Promise<number | undefined>
  /** Switches to generation `to`, or the one before the current one. */
  rollback(ctx: SystemContext, to?: number): Promise<Generation>
  /** Forgets a generation that is not the current one (optional). */
  deleteGeneration?(ctx: SystemContext, number: number): Promise<void>
}

/** Identity helper: returns its argument; exists for types and completion. */
export function defineSystem<Options>(system: SystemDefinition<Options>): SystemDefinition<Options> {
  return system
}
