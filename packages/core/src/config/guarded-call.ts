/**
 * Runs synchronous config code (a module body loaded by `require`, one call
 * of a machine function) with a time limit that holds against an endless
 * loop, without a thread of guix-ops' own: with `timeout`, node:vm has
 * Node's native watchdog stop the code (V8's TerminateExecution, which no
 * `catch` or `finally` of the config's can outlive) and the call throws.
 * The watchdog thread of deadline.ts costs ~75 ms of CPU to start; this, a
 * timer. https://nodejs.org/api/vm.html#scriptruninthiscontextoptions
 * Only what runs before the call returns is bounded: a promise it returns is
 * the caller's to bound.
 */
import { Script } from 'node:vm'
import type { EvaluationDeadline } from './deadline.js'
import { evaluationUnderWay } from './deadline.js'
import { exitError, markTimedOut, timeoutError } from './evaluation-errors.js'

/** Where the script finds the call: a global, since the script sees nothing else. */
const SLOT = Symbol.for('guix-ops.guarded-call')
const script = new Script(`globalThis[Symbol.for('guix-ops.guarded-call')]()`, { filename: 'guix-ops:guarded-call' })

const isTimeout = (error: unknown) => (error as { code?: unknown } | null)?.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT'

/**
 * `call()`, stopped past `deadline.ms` with E_CONFIG_TIMEOUT. A
 * `process.exit()` meanwhile is refused with E_CONFIG_LOAD, even if the
 * config catches the refusal.
 */
export function guardedCall<T>(file: string, deadline: EvaluationDeadline, call: () => T): T {
  const globals = globalThis as Record<symbol, unknown>
  const outerExit = process.exit
  let exitCalled: { code: unknown } | undefined
  process.exit = ((code?: unknown) => {
    exitCalled = { code }
    // An evaluation under way (deadline.ts) records the call too, and refuses it by throwing.
    if (evaluationUnderWay()) outerExit(code as number)
    throw exitError(file, code)
  }) as typeof process.exit
  globals[SLOT] = call
  const started = performance.now()
  let result: T
  try {
    result = script.runInThisContext({ timeout: Math.max(1, Math.round(deadline.ms)) }) as T
  } catch (error) {
    // The config's own use of vm could time out too: only a call that lasted its whole deadline is ours.
    if (isTimeout(error) && performance.now() - started >= deadline.ms - 1) {
      markTimedOut()
      throw timeoutError(file, deadline)
    }
    throw exitCalled ? exitError(file, exitCalled.code) : error
  } finally {
    delete globals[SLOT]
    process.exit = outerExit
  }
  if (exitCalled) throw exitError(file, exitCalled.code)
  return result
}
