/**
 * The one error class every user-facing failure is reported with.
 *
 * A `GuixOpsError` carries a stable `code` (scripts match on it; `--json`
 * prints it), a one-line message, the place at fault (`where`) and, when it
 * helps, a suggestion. The CLI renders it; nothing deep in the code prints or
 * exits. Plugins throw it too, so their failures read the same way.
 */

/** Where an error points: any of the parts that are known. */
export interface ErrorLocation {
  /** A file: a config file, a state file, a plugin's package.json. */
  file?: string
  /** A dotted path inside that file: `machines.web.platform.memory`. */
  path?: string
  /** A deployment, by name. */
  deployment?: string
  /** A machine, by name. */
  machine?: string
  /** A plugin, by package or platform/system name. */
  plugin?: string
}

/** The plain-JSON form of an error, as `--json` prints it. */
export interface ErrorJson {
  code: string
  message: string
  where?: ErrorLocation
  suggestion?: string
  /** Further errors collected with this one (all validation errors at once). */
  details?: ErrorJson[]
}

export interface GuixOpsErrorOptions {
  where?: ErrorLocation
  suggestion?: string
  details?: GuixOpsError[]
  cause?: unknown
  /** Process exit status the CLI uses for this error (default 1). */
  exit?: number
}

export class GuixOpsError extends Error {
  override readonly name: string = 'GuixOpsError'
  readonly code: string
  readonly where: ErrorLocation | undefined
  readonly suggestion: string | undefined
  readonly details: GuixOpsError[]
  readonly exit: number

  constructor(code: string, message: string, options: GuixOpsErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.where = options.where
    this.suggestion = options.suggestion
    this.details = options.details ?? []
    this.exit = options.exit ?? 1
  }

  toJSON(): ErrorJson {
    const json: ErrorJson = { code: this.code, message: this.message }
    if (this.where && Object.keys(this.where).length > 0) json.where = { ...this.where }
    if (this.suggestion) json.suggestion = this.suggestion
    if (this.details.length > 0) json.details = this.details.map((d) => d.toJSON())
    return json
  }
}

/** True for a GuixOpsError from any copy of this package (plugins may bundle their own). */
export function isGuixOpsError(value: unknown): value is GuixOpsError {
  return (
    value instanceof GuixOpsError ||
    (value instanceof Error && value.name === 'GuixOpsError' && typeof (value as { code?: unknown }).code === 'string')
  )
}
