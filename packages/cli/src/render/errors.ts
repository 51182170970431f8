/** How an error reads on a terminal: code, message, place, suggestion, details. */
import { type ErrorJson, GuixOpsError, isGuixOpsError } from '@guix-ops/plugin-api'

/** What `plugins install|link` (oclif's) fails with, said in guix-ops' terms. */
function pluginInstallError(message: string, cause: unknown): GuixOpsError | undefined {
  const plugin = /npm-cli\.js install (\S+) .*exited with code/.exec(message)?.[1]
  if (plugin) {
    return new GuixOpsError('E_PLUGIN_INSTALL', `npm could not install ${plugin}; its own error is above`, {
      where: { plugin },
      cause,
    })
  }
  if (message === 'plugin is invalid') {
    return new GuixOpsError(
      'E_PLUGIN_INSTALL',
      'the package is not a guix-ops plugin: its package.json has no "oclif" key',
      {
        suggestion: 'add "oclif": {} beside its "guix-ops" key (see docs/writing-a-platform.md)',
        cause,
      },
    )
  }
  return undefined
}

/** Any thrown value as a GuixOpsError: oclif's parse errors become E_USAGE. */
export function toGuixOpsError(error: unknown): GuixOpsError {
  if (isGuixOpsError(error)) return error
  const err = error as { message?: string; oclif?: { exit?: number }; code?: string; suggestions?: string[] }
  const message = (err?.message ?? String(error)).replace(/\n\s*See more help with --help$/, '')
  const install = pluginInstallError(message, error)
  if (install) return install
  const isUsage = err?.oclif !== undefined || /flag|argument|Unexpected/i.test(message)
  return new GuixOpsError(isUsage ? 'E_USAGE' : 'E_INTERNAL', message.split('\n')[0] ?? 'unknown error', {
    suggestion: isUsage ? 'see --help' : 'this is a bug in guix-ops; please report it with the command you ran',
    exit: isUsage ? 2 : 1,
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
  const json = error.toJSON()
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
