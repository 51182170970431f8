/** Running local programs with argument arrays, and asking after processes by pid. */
import { readFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { lineSplitter, waitUntil } from '@guix-ops/plugin-api'

export interface RunResult {
  code: number | null
  stdout: string
  stderr: string
}

/**
 * Runs `argv`, collecting its output (each stream's non-blank lines also go
 * to `onLine` as they come). A missing program rejects with spawn's ENOENT
 * error, an abort with its reason; any exit code resolves, null for a signal.
 */
export async function run(
  argv: readonly string[],
  options: { signal?: AbortSignal; onLine?: (line: string) => void; env?: NodeJS.ProcessEnv } = {},
): Promise<RunResult> {
  // Loaded here, not at the top: only the commands that run programs pay for it.
  const { execa } = await import('execa')
  const child = execa(argv[0]!, argv.slice(1), {
    stdin: 'ignore',
    reject: false,
    stripFinalNewline: false,
    ...(options.signal ? { cancelSignal: options.signal } : {}),
    ...(options.env ? { env: options.env, extendEnv: false } : {}),
  })
  const { onLine } = options
  const splitters = onLine
    ? [child.stdout, child.stderr].map((stream) => {
        const split = lineSplitter((line) => line.trim() && onLine(line))
        stream.setEncoding('utf8').on('data', (chunk: string) => split.push(chunk))
        return split
      })
    : []
  const result = await child
  for (const split of splitters) split.end()
  // Not started, or aborted: the error spawn or the signal gave.
  if (result.failed && result.exitCode === undefined && (result.cause !== undefined || result.isCanceled))
    throw result.cause ?? result
  return { code: result.exitCode ?? null, stdout: result.stdout, stderr: result.stderr }
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

/** Waits until `pid` has exited, up to `ms`; true if it did. */
export async function waitForExit(pid: number, ms: number): Promise<boolean> {
  return (await waitUntil(() => !isAlive(pid), { timeout: ms, interval: 100 })) ?? false
}
