/** What a config's evaluation fails with when it runs too long or tries to end the process. */
import { GuixOpsError } from '@guix-ops/plugin-api'
import { ErrorCode } from '../codes.js'

export function timeoutError(
  file: string,
  { ms, machine }: { ms: number; machine?: string | undefined },
): GuixOpsError {
  const what = machine === undefined ? `config ${file}` : `the function of machine "${machine}" in config ${file}`
  return new GuixOpsError(
    ErrorCode.ConfigTimeout,
    `${what} did not finish evaluating within ${Math.round(ms / 100) / 10} s`,
    {
      where: machine === undefined ? { file } : { file, machine },
      suggestion:
        'look for an endless loop or a promise that never settles in it; --config-timeout SECONDS allows more time',
    },
  )
}

export function exitError(file: string, code: unknown): GuixOpsError {
  return new GuixOpsError(
    ErrorCode.ConfigLoad,
    `cannot load config ${file}: it called process.exit(${code === undefined ? '' : String(code)}) while being evaluated`,
    { where: { file }, suggestion: 'a config must not end the process: throw an Error to refuse instead' },
  )
}

let timedOut = false

/** Called when an evaluation has timed out: see configEvaluationTimedOut. */
export function markTimedOut(): void {
  timedOut = true
}

/**
 * True once a config's evaluation timed out in this process. Its code may
 * still hold timers or sockets here: the CLI must then exit by itself.
 */
export function configEvaluationTimedOut(): boolean {
  return timedOut
}
