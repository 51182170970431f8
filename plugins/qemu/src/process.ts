/** Running local programs with argument arrays, and asking after processes by pid. */
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'

export interface RunResult {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs `argv`, collecting its output; a missing program is an ENOENT error from spawn. */
export function run(
  argv: readonly string[],
  options: { signal?: AbortSignal; onLine?: (line: string) => void; env?: NodeJS.ProcessEnv } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), {
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.env ? { env: options.env } : {}),
    })
    let stdout = ''
    let stderr = ''
    let partial = ''
    const lines = (chunk: string) => {
      if (!options.onLine) return
      const parts = (partial + chunk).split(/\r?\n/)
      partial = parts.pop() ?? ''
      for (const line of parts) if (line.trim()) options.onLine(line)
    }
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      stdout += c
      lines(c)
    })
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      stderr += c
      lines(c)
    })
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

/** True when `pid` is a live process (signal 0 probes without touching it). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * The pid in `pidFile` if that process is alive and its command line still
 * names `marker` (a pid can be reused by an unrelated process after a reboot).
 */
export async function livePid(pidFile: string, marker: string): Promise<number | undefined> {
  let pid: number
  try {
    pid = Number((await readFile(pidFile, 'utf8')).trim())
  } catch {
    return undefined
  }
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return undefined
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
    return cmdline.includes(marker) ? pid : undefined
  } catch {
    return undefined
  }
}

export const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = () => {
      clearTimeout(timer)
      reject(signal!.reason)
    }
    signal?.addEventListener('abort', onAbort, { once: true })
  })

/** Waits until `pid` has exited, up to `ms`; true if it did. */
export async function waitForExit(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms
  while (isAlive(pid)) {
    if (Date.now() > deadline) return false
    await sleep(100)
  }
  return true
}
