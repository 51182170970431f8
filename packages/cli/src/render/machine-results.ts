/** One line per machine of a command that acts on several: what happened, or why not. */
import { table } from './table.js'

export interface MachineLine {
  machine: string
  error?: string
  code?: string
  suggestion?: string
}

/**
 * `describe` says what happened to a machine; a failure reads
 * "<failedAs>: <error> [<code>]", and its hint follows the table.
 */
export function machineTable<T extends MachineLine>(
  results: readonly T[],
  describe: (result: T) => string,
  failedAs: (result: T) => string = () => 'failed',
): string {
  const failed = (r: T) => `${failedAs(r)}: ${r.error}${r.code ? ` [${r.code}]` : ''}`
  const hints = results.filter((r) => r.error && r.suggestion).map((r) => `hint (${r.machine}): ${r.suggestion}`)
  return [
    table(
      ['MACHINE', 'RESULT'],
      results.map((r) => [r.machine, r.error ? failed(r) : describe(r)]),
    ),
    ...hints,
  ].join('\n')
}
