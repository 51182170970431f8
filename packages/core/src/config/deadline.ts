/**
 * Bounds the time a config's own code may run (its module body and, once,
 * its machine functions). A promise that never settles is met by a timer.
 * A synchronous endless loop blocks this thread for good, so a watchdog
 * thread waits beside it: past the deadline it removes this process's
 * locks, prints the error the CLI rendered in advance, and kills the process
 * (which then exits by SIGKILL, status 137).
 * Evaluating in the same thread keeps machine functions callable as they are.
 * A config whose code runs only in calls bounded one by one (guarded-call.ts)
 * needs no such thread: it is started for it only on demand.
 */
import { AsyncLocalStorage } from 'node:async_hooks'
import type { MessagePort, Worker } from 'node:worker_threads'
import type { GuixOpsError } from '@guix-ops/plugin-api'
import { exitError, markTimedOut, timeoutError } from './evaluation-errors.js'

export const DEFAULT_CONFIG_TIMEOUT_MS = 30_000

/** How long the watchdog waits past the deadline before it judges this thread stuck. */
const WATCHDOG_GRACE_MS = 2_000

export interface EvaluationDeadline {
  /** How long a config may take to evaluate, in milliseconds. */
  ms: number
  /** Lock files to remove if the process must be killed (only those this pid holds). */
  heldFiles?: () => string[]
  /** How an error reads on stdout and stderr, for when it cannot be thrown. */
  render?: (error: GuixOpsError) => { stdout?: string; stderr?: string }
  /** The machine whose function runs, when it is called again with real results: the watchdog guards the call only. */
  machine?: string
}

/**
 * The watchdog thread: idle until armed (cell 0 becomes 1), then it reads
 * what to do from its port and waits for the cell to go back to 0. One per
 * process, started at the first evaluation: starting a thread costs CPU.
 */
const WATCHDOG = `
const { workerData, receiveMessageOnPort } = require('node:worker_threads')
const fs = require('node:fs')
const cell = new Int32Array(workerData.flag)
for (;;) {
  Atomics.wait(cell, 0, 0)
  let job
  for (let m; (m = receiveMessageOnPort(workerData.port)); ) job = m.message // the latest one
  if (!job || Atomics.wait(cell, 0, 1, job.ms) !== 'timed-out') continue
  for (const file of job.files) {
    try {
      if (JSON.parse(fs.readFileSync(file, 'utf8')).pid === process.pid) fs.unlinkSync(file)
    } catch {}
  }
  if (job.stdout) fs.writeSync(1, job.stdout)
  if (job.stderr) fs.writeSync(2, job.stderr)
  process.kill(process.pid, 'SIGKILL')
}
`

interface Watchdog {
  cell: Int32Array
  port: MessagePort
  worker: Worker
}

let watchdog: Watchdog | undefined
let armings = 0

/** How many evaluations of this process armed the watchdog thread: the first start costs it ~75 ms of CPU. */
export function watchdogArmings(): number {
  return armings
}

function theWatchdog(): Watchdog {
  if (watchdog) return watchdog
  // Loaded only here: a config that never needs the thread spares loading Node's worker modules too.
  const { MessageChannel, Worker } = process.getBuiltinModule('node:worker_threads')
  const flag = new SharedArrayBuffer(4)
  const { port1, port2 } = new MessageChannel()
  const worker = new Worker(WATCHDOG, { eval: true, workerData: { flag, port: port2 }, transferList: [port2] })
  worker.unref()
  port1.unref()
  watchdog = { cell: new Int32Array(flag), port: port1, worker }
  return watchdog
}

/**
 * Ends the watchdog thread when no evaluation is under way: a thread costs
 * ~13 MB of memory for as long as it lives, and once a command has run the
 * config's code (module and machine functions) it runs no more of it. A
 * later evaluation starts a new one.
 */
export function stopWatchdog(): void {
  if (!watchdog || armed > 0) return
  void watchdog.worker.terminate()
  watchdog = undefined
}

/** Evaluations under way; the first one's deadline stands for any that overlap it. */
let armed = 0

/** Arms the watchdog for one evaluation; the function returned disarms it. */
function armWatchdog(file: string, deadline: EvaluationDeadline): () => void {
  let disarmed = false
  const disarm = () => {
    if (disarmed) return
    disarmed = true
    armed -= 1
    if (armed > 0) return
    Atomics.store(theWatchdog().cell, 0, 0)
    Atomics.notify(theWatchdog().cell, 0)
  }
  armed += 1
  armings += 1
  if (armed > 1) return disarm
  const error = timeoutError(file, deadline)
  const rendered = deadline.render?.(error) ?? { stderr: `error ${error.code}: ${error.message}\n` }
  const { cell, port } = theWatchdog()
  port.postMessage({ ms: deadline.ms + WATCHDOG_GRACE_MS, files: deadline.heldFiles?.() ?? [], ...rendered })
  Atomics.store(cell, 0, 1)
  Atomics.notify(cell, 0)
  return disarm
}

interface Evaluation {
  file: string
  exitCalled?: { code: unknown }
  /** Arms the watchdog for the rest of the evaluation, if it is not yet armed. */
  armWatchdog: () => void
}

/** The evaluation whose code runs now: machine functions of a deploy may overlap. */
const current = new AsyncLocalStorage<Evaluation>()
const underWay = new Set<Evaluation>()
let realExit: typeof process.exit = process.exit

/** True while an evaluation runs: `process.exit` then refuses (guarded-call.ts defers to it). */
export function evaluationUnderWay(): boolean {
  return underWay.size > 0
}

/**
 * Config code about to run where only the watchdog thread can bound it (a
 * getter, a proxy, a promise's continuation) arms the thread for the rest of
 * the evaluation under way, when that one started without it.
 */
export function needWatchdog(): void {
  current.getStore()?.armWatchdog()
}

/** Stands for `process.exit` while config code runs. */
function refuseExit(code?: unknown): never {
  const running = current.getStore()
  const caller = running ? [running] : [...underWay]
  for (const evaluation of caller) evaluation.exitCalled = { code }
  throw exitError(caller[0]?.file ?? '', code)
}

/**
 * Runs `work` (which evaluates the config `file`) within the deadline.
 * `process.exit()` called meanwhile is refused: it would end the CLI with
 * status 0 and leave its lock behind. With `watchdog: 'on-demand'` (a config
 * whose code runs only in calls bounded one by one: guarded-call.ts) the
 * thread starts only if `needWatchdog()` is called.
 */
export async function withinDeadline<T>(
  file: string,
  deadline: EvaluationDeadline | undefined,
  work: () => Promise<T>,
  { watchdog = 'now' }: { watchdog?: 'now' | 'on-demand' } = {},
): Promise<T> {
  const bound: EvaluationDeadline = deadline ?? { ms: DEFAULT_CONFIG_TIMEOUT_MS }
  let disarm: (() => void) | undefined
  // Once over (the evaluation ended, or a machine function's call returned: below) it has nothing left to guard.
  let over = false
  // A machine function's call is bounded in itself where on demand (guarded-call.ts): past it, nothing to guard.
  const useless = watchdog === 'on-demand' && bound.machine !== undefined
  const arm = () => {
    if (!over && !useless && disarm === undefined) disarm = armWatchdog(file, bound)
  }
  const stopWatchdog = () => {
    over = true
    disarm?.()
  }
  if (watchdog === 'now') arm()
  const evaluation: Evaluation = { file, armWatchdog: arm }
  if (underWay.size === 0) {
    realExit = process.exit
    process.exit = refuseExit as typeof process.exit
  }
  underWay.add(evaluation)
  let timer: NodeJS.Timeout | undefined
  try {
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        markTimedOut()
        reject(timeoutError(file, bound))
      }, bound.ms)
    })
    const running = current.run(evaluation, work)
    // A machine function is synchronous code: past its call, a promise it returned is met by the timer alone,
    // and machine functions of a deploy that wait at once do not hold each other's watchdog.
    if (bound.machine !== undefined) stopWatchdog()
    const result = await Promise.race([running, expired])
    if (evaluation.exitCalled) throw exitError(file, evaluation.exitCalled.code)
    return result
  } catch (error) {
    throw evaluation.exitCalled ? exitError(file, evaluation.exitCalled.code) : error
  } finally {
    clearTimeout(timer)
    underWay.delete(evaluation)
    if (underWay.size === 0) process.exit = realExit
    stopWatchdog()
  }
}
