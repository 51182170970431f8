/**
 * Two machines of one deployment that name the same host and port would
 * manage one host as two: each would change and remove the other's files.
 * Refused at validation, naming both. Only literal addresses are compared
 * (one computed from another machine is not known yet); a jump host is part
 * of the address, since the same private address behind two jump hosts is
 * two hosts.
 */
import type { MachineSpec } from '@guix-ops/plugin-api'
import { ErrorCode } from '../codes.js'
import { containsPlaceholder } from '../graph/index.js'
import type { IssueList } from './issues.js'

function hostKey(spec: MachineSpec): string | undefined {
  const { host, port, jump } = spec.platform as { host?: unknown; port?: unknown; jump?: unknown }
  if (typeof host !== 'string' || containsPlaceholder(host) || containsPlaceholder(port)) return undefined
  const via = typeof jump === 'string' ? ` via ${jump}` : ''
  return `${host.toLowerCase()} port ${typeof port === 'number' ? port : 22}${via}`
}

export function checkSharedHosts(issues: IssueList, prefix: string, specs: [string, MachineSpec][]): void {
  const seen = new Map<string, string>()
  for (const [name, spec] of specs) {
    const key = hostKey(spec)
    if (key === undefined) continue
    const first = seen.get(key)
    if (first === undefined) {
      seen.set(key, name)
      continue
    }
    issues.field(
      `${prefix}machines.${name}.platform.host`,
      `machines "${first}" and "${name}" both name host ${key}: two machines on one host would change and remove each other's files`,
      {
        code: ErrorCode.SharedHost,
        machine: name,
        suggestion: `give "${name}" its own host, or merge it into "${first}"`,
      },
    )
  }
}
