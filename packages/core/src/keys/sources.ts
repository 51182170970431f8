/**
 * Reads a key's value from its source, here, at deploy time: the text as
 * given, a file, or a command's standard output. A failure names the
 * machine, the key and the source; a command's standard error is shown
 * (it says why), its standard output never is (it is the secret).
 */
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { GuixOpsError } from '@guix-ops/plugin-api'
import { ErrorCode } from '../codes.js'
import type { KeyOptions } from './schema.js'

/** A key with its value, held in memory only. */
export interface LoadedKey extends KeyOptions {
  value: Buffer
}

/** How long a command may take: `pass` or `age` may wait on an agent, not forever. */
const COMMAND_TIMEOUT_MS = 120_000

interface CommandResult {
  code: number | null
  stdout: Buffer
  stderr: string
  error?: Error
}

/** Runs an argument list (no shell); stdin/** Runs an argument list (no shell); stdin is closed, stdout kept in memory as bytes. */
async function runCommand(argv: string[], cwd: string): Promise<CommandResult> {
  // Loaded here: only a deploy with a command key pays for execa.
  const { execa } = await import('execa')
  const result = await execa(argv[0]!, argv.slice(1), {
    cwd,
    stdin: 'ignore',
    timeout: COMMAND_TIMEOUT_MS,
    encoding: 'buffer',
    stripFinalNewline: false,
    reject: false,
  })
  const stderr = Buffer.from(result.stderr ?? new Uint8Array()).toString('utf8')
  if (result.exitCode === undefined && !result.isTerminated) {
    return {
      code: null,
      stdout: Buffer.alloc(0),
      stderr,
      error: new Error(result.originalMessage ?? result.shortMessage),
    }
  }
  return { code: result.exitCode ?? null, stdout: Buffer.from(result.stdout ?? new Uint8Array()), stderr }
}

function sourceError(machine: string, key: string, problem: string, suggestion?: string): GuixOpsError {
  return new GuixOpsError(ErrorCode.KeySource, `machine "${machine}", key "${key}": ${problem}`, {
    where: { machine, path: `machines.${machine}.keys.${key}` },
    ...(suggestion ? { suggestion } : {}),
  })
}

async function fromCommand(machine: string, key: string, argv: string[], cwd: string): Promise<Buffer> {
  const result = await runCommand(argv, cwd)
  // Only the program's name: the other arguments may carry what they decrypt with.
  const program = JSON.stringify(argv[0])
  if (result.error) throw sourceError(machine, key, `cannot run command ${program}: ${result.error.message}`)
  if (result.code !== 0) {
    const why = result.stderr.trim().split('\n').slice(-3).join(' | ')
    const exit = result.code === null ? 'was killed' : `exited with ${result.code}`
    throw sourceError(machine, key, `command ${program} ${exit}${why ? `: ${why}` : ''}`)
  }
  return result.stdout
}

async function fromFile(machine: string, key: string, file: string, configDir: string): Promise<Buffer> {
  const full = path.resolve(configDir, file)
  try {
    return await readFile(full)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    const problem = code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? (error as Error).message})`
    throw sourceError(
      machine,
      key,
      `file ${full} ${problem}`,
      'relative paths start at the directory of the config file',
    )
  }
}

/** Reads every key of a machine; all of them, or an error for the first that fails. */
export async function loadKeys(machine: string, keys: KeyOptions[], configDir: string): Promise<LoadedKey[]> {
  const loaded: LoadedKey[] = []
  for (const key of keys) {
    const { source } = key
    let value: Buffer
    if ('text' in source) value = Buffer.from(source.text, 'utf8')
    else if ('file' in source) value = await fromFile(machine, key.name, source.file, configDir)
    else value = await fromCommand(machine, key.name, source.command, configDir)
    loaded.push({ ...key, value })
  }
  return loaded
}
