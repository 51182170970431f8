/**
 * Finds and loads a config file: the first of CONFIG_SEARCH_PLACES from the
 * cwd upward, or the file given. jiti loads JS and TypeScript configs
 * without a build step, with `@guix-ops/plugin-api` resolved to our own copy
 * so that a config anywhere on disk can import `defineDeployment` without
 * installing anything (Node's own type stripping loads the TypeScript ones
 * it runs the same way, with less memory: native-typescript.ts); their evaluation is bounded in time (deadline.ts).
 * JSON and YAML are parsed by cosmiconfig's parsers. The search is our own:
 * cosmiconfig's would also read settings for itself from a package.json in
 * the cwd. Both are imported only when a config is read: `list` and `info`
 * start faster.
 */
import { existsSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { GuixOpsError } from '@guix-ops/plugin-api'
import { ErrorCode } from '../codes.js'
import { type EvaluationDeadline, withinDeadline } from './deadline.js'
import { importTypeScriptNatively } from './native-typescript.js'

export const CONFIG_MODULE = 'guix-ops'

export const CONFIG_SEARCH_PLACES: readonly string[] = [
  'package.json',
  'guix-ops.config.ts',
  'guix-ops.config.mts',
  'guix-ops.config.js',
  'guix-ops.config.mjs',
  'guix-ops.config.json',
  'guix-ops.config.yaml',
  'guix-ops.config.yml',
]

export interface LoadedConfig {
  /** Absolute path of the file the config came from. */
  file: string
  /** The file's export (its `guix-ops` key for package.json), not yet checked. */
  value: unknown
}

const pluginApiEntry = (): string => fileURLToPath(import.meta.resolve('@guix-ops/plugin-api'))

const defaultExport = (mod: unknown): unknown =>
  mod && typeof mod === 'object' && 'default' in mod ? (mod as { default: unknown }).default : mod

async function evaluateScript(file: string): Promise<unknown> {
  if (TYPESCRIPT_EXTENSIONS.includes(path.extname(file))) {
    const native = await importTypeScriptNatively(file, pluginApiEntry())
    if (native) return defaultExport(native.module)
  }
  const { createJiti } = await import('jiti')
  const jiti = createJiti(import.meta.url, {
    alias: { '@guix-ops/plugin-api': pluginApiEntry() },
    moduleCache: false,
    fsCache: false,
    interopDefault: true,
  })
  return defaultExport(await jiti.import<unknown>(file))
}

const TYPESCRIPT_EXTENSIONS = ['.ts', '.mts']
const SCRIPT_EXTENSIONS = ['.ts', '.mts', '.js', '.mjs']
const DATA_EXTENSIONS = ['.json', '.yaml', '.yml']
const EXTENSIONS = [...SCRIPT_EXTENSIONS, ...DATA_EXTENSIONS]

/** True for a JS or TS config: only those run code of their own (JSON and YAML are data). */
export const isScriptConfig = (file: string): boolean => SCRIPT_EXTENSIONS.includes(path.extname(file))

/** Editors on Windows save UTF-8 with a byte-order mark; JSON.parse refuses it. */
const withoutByteOrderMark = (text: string): string => (text.startsWith('\uFEFF') ? text.slice(1) : text)

/** A JSON or YAML file's value; undefined when it is empty. */
async function parseData(file: string): Promise<unknown> {
  const text = withoutByteOrderMark(readFileSync(file, 'utf8'))
  if (text.trim() === '') return undefined
  const { defaultLoaders } = await import('cosmiconfig')
  const parse = path.extname(file) === '.json' ? defaultLoaders['.json'] : defaultLoaders['.yaml']
  const value: unknown = await parse(file, text)
  if (path.basename(file) !== 'package.json') return value
  return (value as Record<string, unknown> | null)?.[CONFIG_MODULE] ?? undefined
}

async function readFileValue(file: string, deadline: EvaluationDeadline | undefined): Promise<unknown> {
  try {
    if (!SCRIPT_EXTENSIONS.includes(path.extname(file))) return await parseData(file)
    return await withinDeadline(file, deadline, () => evaluateScript(file))
  } catch (error) {
    if (error instanceof GuixOpsError) throw error
    throw loadFailed(file, error)
  }
}

const isFile = (file: string): boolean => existsSync(file) && statSync(file).isFile()

/** The first config from `cwd` upward; a package.json counts only with a "guix-ops" key. */
async function search(cwd: string, deadline: EvaluationDeadline | undefined): Promise<LoadedConfig | undefined> {
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    for (const place of CONFIG_SEARCH_PLACES) {
      const file = path.join(dir, place)
      if (!isFile(file)) continue
      const value = await readFileValue(file, deadline)
      if (value !== undefined && value !== null) return { file, value }
    }
    if (path.dirname(dir) === dir) return undefined
  }
}

function loadFailed(file: string, error: unknown): GuixOpsError {
  const message = error instanceof Error ? error.message : String(error)
  // The loaders prefix their own "JSON Error in <file>:"; the file is in `where`.
  const reason = message.replace(/^(JSON|YAML) Error in [^\n]*:\n/, '').split('\n')[0]
  return new GuixOpsError(ErrorCode.ConfigLoad, `cannot load config ${file}: ${reason}`, {
    where: { file },
    suggestion: 'fix the syntax error; the file must export (default) one deployment or { deployments: [...] }',
    cause: error,
  })
}

/** Loads the config from `file`, or searches from `cwd` upward when none is given. */
export async function loadConfig(
  options: { file?: string; cwd?: string; deadline?: EvaluationDeadline } = {},
): Promise<LoadedConfig> {
  const cwd = options.cwd ?? process.cwd()
  if (options.file !== undefined) {
    const file = path.resolve(cwd, options.file)
    if (!isFile(file)) {
      throw new GuixOpsError(ErrorCode.ConfigNotFound, `config file not found: ${file}`, {
        where: { file },
        suggestion: `create it, or name an existing guix-ops.config.{ts,js,json,yaml} file`,
      })
    }
    const extension = path.extname(file)
    if (!EXTENSIONS.includes(extension)) {
      throw new GuixOpsError(ErrorCode.ConfigLoad, `cannot load config ${file}: unsupported file type "${extension}"`, {
        where: { file },
        suggestion: `use one of ${EXTENSIONS.join(', ')}`,
      })
    }
    return { file, value: await readFileValue(file, options.deadline) }
  }
  const found = await search(cwd, options.deadline)
  if (!found) {
    throw new GuixOpsError(ErrorCode.ConfigNotFound, `no guix-ops config found in ${cwd} or any parent directory`, {
      where: { file: cwd },
      suggestion: `create guix-ops.config.ts (see examples/quickstart), or pass the file's path`,
    })
  }
  return found
}
