/** How an error reads on a terminal: code, message, place, suggestion, details. */
import { ErrorCode } from '@guix-ops/core'
import { type ErrorJson, GuixOpsError, isGuixOpsError } from '@guix-ops/plugin-api'

/**
 * What `plugins install|link` (oclif's) fails with, said in guix-ops' terms.
 * Only the failures of those two commands come here; the two errors of
 * oclif's plugin installer recognised below get a clearer message.
 */
function pluginInstallError(message: string, cause: unknown): GuixOpsError {
  const plugin = /npm-cli\.js install (\S+) .*exited with code/.exec(message)?.[1]
  if (plugin) {
    return new GuixOpsError(ErrorCode.PluginInstall, `npm could not install ${plugin}; its own error is above`, {
      where: { plugin },
      cause,
    })
  }
  if (message === 'plugin is invalid') {
    return new GuixOpsError(
      ErrorCode.PluginInstall,
      'the package is not a guix-ops plugin: its package.json has no "oclif" key',
      {
        suggestion: 'add "oclif": {} beside its "guix-ops" key (see docs/writing-a-platform.md)',
        cause,
      },
    )
  }
  return new GuixOpsError(ErrorCode.PluginInstall, message, { cause })
}

/** What oclif's errors carry (CLIError and its parse errors): an exit status, and what a command gave `this.error`. */
interface OclifError {
  oclif: { exit?: number }
  code?: unknown
  suggestions?: unknown
  /** Set on the parse errors (CLIParseError): an unknown flag, a missing argument. */
  parse?: unknown
}

function isOclifError(error: unknown): error is OclifError {
  return typeof error === 'object' && error !== null && typeof (error as { oclif?: unknown }).oclif === 'object'
}

/**
 * oclif's own errors (an unknown command, flag or argument, a bad value) are
 * usage errors; a command that gave `this.error` a code of the registries'
 * form (`E_ACME_QUOTA`) keeps it, with its suggestions as the hint.
 */
function fromOclif(error: OclifError, message: string): GuixOpsError {
  const own = typeof error.code === 'string' && /^E_[A-Z0-9_]+$/.test(error.code) ? error.code : undefined
  const suggestions = Array.isArray(error.suggestions) ? error.suggestions.filter((s) => typeof s === 'string') : []
  let suggestion = suggestions.join('; ')
  if (!suggestion && !own) suggestion = 'see --help'
  return new GuixOpsError(own ?? ErrorCode.Usage, message, {
    ...(suggestion ? { suggestion } : {}),
    exit: error.oclif.exit ?? 2,
    cause: error,
  })
}

/**
 * Any thrown value as a GuixOpsError, by its kind, never by the words of its
 * message: ours as they are, oclif's as usage errors, the rest as E_INTERNAL.
 * `installingPlugin` is set for `plugins install|link`, whose failures are
 * all E_PLUGIN_INSTALL.
 */
export function toGuixOpsError(error: unknown, options: { installingPlugin?: boolean } = {}): GuixOpsError {
  if (isGuixOpsError(error)) return error
  const said = (error as { message?: unknown } | null | undefined)?.message
  const message = (typeof said === 'string' ? said : String(error)).replace(/\n\s*See more help with --help$/, '')
  const parseError = isOclifError(error) && error.parse !== undefined
  if (options.installingPlugin && !parseError) return pluginInstallError(message, error)
  if (isOclifError(error)) return fromOclif(error, message.split('\n')[0] ?? message)
  return new GuixOpsError(ErrorCode.Internal, message.split('\n')[0] ?? 'unknown error', {
    suggestion: 'this is a bug in guix-ops; please report it with the command you ran',
    cause: error,
  })
}

function place(where: ErrorJson['where']): string | undefined {
  if (!where) return undefined
  const parts = [
    where.file,
    where.deployment && `deployment ${where.deployment}`,
    where.machine && `machine ${where.machine}`,
    where.plugin && `plugin ${where.plugin}`,
  ]
  const said = parts.filter((p): p is string => Boolean(p))
  return said.length ? said.join(', ') : undefined
}

export function renderError(error: GuixOpsError): string {
  return renderErrorJson(error.toJSON())
}

/** An error as `--json` gives it (a failed machine of a deploy), as the terminal shows it. */
export function renderErrorJson(json: ErrorJson): string {
  const lines = [`error ${json.code}: ${json.message}`]
  const at = place(json.where)
  if (at && !json.message.includes(json.where?.file ?? '\0')) lines.push(`  at: ${at}`)
  for (const detail of json.details ?? []) {
    lines.push(`  - ${detail.message}  [${detail.code}]`)
    if (detail.suggestion) lines.push(`      hint: ${detail.suggestion}`)
  }
  if (json.suggestion) lines.push(`  hint: ${json.suggestion}`)
  return lines.join('\n')
}
