/**
 * Runs the built `guix-ops` binary the way a user does, in a state dir of
 * the test's own, and snapshots state dirs to prove that a failed command
 * changed nothing.
 */
import { createHash } from 'node:crypto'
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { execa, execaSync } from 'execa'

export const ROOT: string = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
export const BIN: string = path.join(ROOT, 'packages/cli/bin/run.js')
export const FIXTURES: string = path.join(ROOT, 'test/fixtures')

export interface RunResult {
  code: number | null
  stdout: string
  stderr: string
}

export interface RunOptions {
  stateDir: string
  cwd?: string
  env?: Record<string, string | undefined>
  /** Default 180 s (a guard against hangs); deploying VMs takes longer. */
  timeoutMs?: number
}

/**
 * oclif's data, cache and config dirs beside the state dir: tests never see
 * the user's installed plugins. The cache dir is also where VM images are
 * kept: a test that set one (the shared image cache) keeps it.
 */
export function oclifDirs(stateDir: string): Record<string, string> {
  return {
    GUIX_OPS_DATA_DIR: `${stateDir}.oclif/data`,
    GUIX_OPS_CACHE_DIR: process.env.GUIX_OPS_CACHE_DIR ?? `${stateDir}.oclif/cache`,
    GUIX_OPS_CONFIG_DIR: `${stateDir}.oclif/config`,
  }
}

function environment(options: RunOptions): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...oclifDirs(options.stateDir),
    GUIX_OPS_STATE_DIR: options.stateDir,
    NO_COLOR: '1',
  }
  delete env.GUIX_OPS_DEPLOYMENT
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[key]
    else env[key] = value
  }
  return env
}

function execaOptions(options: RunOptions) {
  return {
    cwd: options.cwd ?? ROOT,
    env: environment(options),
    extendEnv: false,
    reject: false,
    stripFinalNewline: false,
    timeout: options.timeoutMs ?? 180_000,
  } as const
}

export function guixOps(args: string[], options: RunOptions): RunResult {
  if (!existsSync(path.join(ROOT, 'packages/cli/bundle/commands'))) {
    throw new Error('the CLI is not built: run "npm run build" first')
  }
  const result = execaSync(process.execPath, [BIN, ...args], execaOptions(options))
  return { code: result.exitCode ?? null, stdout: result.stdout, stderr: result.stderr }
}

/** Starts the binary without waiting, for races between two commands. */
export async function guixOpsAsync(args: string[], options: RunOptions): Promise<RunResult> {
  const result = await execa(process.execPath, [BIN, ...args], execaOptions(options))
  return { code: result.exitCode ?? null, stdout: result.stdout, stderr: result.stderr }
}

/** `--json` output parsed; fails the test with the raw output if it is not JSON. */
export function json<T = Record<string, unknown>>(result: RunResult): T {
  try {
    return JSON.parse(result.stdout) as T
  } catch {
    throw new Error(`not JSON (exit ${result.code}):\nstdout: ${result.stdout}\nstderr: ${result.stderr}`)
  }
}

export function tempDir(prefix = 'guix-ops-test-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix))
}

/** Every file and dir under `dir` with its mode and content hash: equal snapshots, unchanged dir. */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {}
  const walk = (current: string) => {
    if (!existsSync(current)) return
    for (const name of readdirSync(current).sort()) {
      const full = path.join(current, name)
      const stat = statSync(full)
      const rel = path.relative(dir, full)
      if (stat.isDirectory()) {
        out[`${rel}/`] = (stat.mode & 0o7777).toString(8)
        walk(full)
      } else {
        const hash = createHash('sha256').update(readFileSync(full)).digest('hex')
        out[rel] = `${(stat.mode & 0o7777).toString(8)} ${hash}`
      }
    }
  }
  walk(dir)
  return out
}
