/**
 * What the core hands to every plugin call: a logger, an abort signal, a
 * directory of its own, a secret store and a way to report progress. Plugins
 * never print: they log and report, and the CLI decides how that looks
 * (a live line on a TTY, plain lines otherwise, NDJSON with `--json`).
 */

export interface Logger {
  debug(message: string): void
  info(message: string): void
  warn(message: string): void
  error(message: string): void
}

/** Progress of one long step: `report('downloading image', { done: 40, total: 390 })`. */
export interface ProgressReporter {
  report(message: string, amount?: { done: number; total?: number }): void
}

/**
 * Secrets (keys, tokens) kept by the core outside the state document, 0600.
 * Values are never logged nor shown in `--json` output.
 */
export interface SecretStore {
  get(name: string): Promise<string | undefined>
  set(name: string, value: string): Promise<void>
  delete(name: string): Promise<void>
}

export interface PluginContext {
  deployment: { id: string; name: string }
  /** The machine being worked on. */
  machine: string
  logger: Logger
  progress: ProgressReporter
  /** Aborted on Ctrl-C or when `--on-failure abort` stops the run. */
  signal: AbortSignal
  /** A directory owned by this machine's plugin, 0700, kept until destroy. */
  stateDir: string
  /**
   * A directory shared by all machines of the deployment, 0700, for what
   * they have in common (a key pair, a private network between them).
   * Removed when the deployment is deleted.
   */
  deploymentDir: string
  secrets: SecretStore
  /** The directory of the deployment's config file: relative paths in options start there. */
  configDir?: string
  /**
   * The SSH host key pinned for this machine, if any. A platform that
   * connects to the machine itself (to provision or probe it) must verify
   * the host against it; the core pins the key on first contact.
   */
  hostKey?: string
  /**
   * The host key pinned for the machine's jump host (`SshEndpoint.jump`),
   * if any. A platform that connects through the jump host itself must
   * verify the jump host against it.
   */
  jumpHostKey?: string
}
