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
import { isStandIn } from '../graph/placeholders.js'
import { watchBuiltins } from './builtins-watch.js'
import { DEFAULT_CONFIG_TIMEOUT_MS, type EvaluationDeadline, needWatchdog, withinDeadline } from './deadline.js'
import { guardedCall } from './guarded-call.js'
import { importTypeScriptNatively, requireTypeScriptNatively } from './native-typescript.js'
import { copyPlainConfig, isPlainValue } from './plain-value.js'

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
  /**
   * True when the config's code runs only in calls of its machine functions,
   * each bounded on its own: reading it then needs no watchdog thread.
   */
  guardedCalls?: boolean
}

const pluginApiEntry = (): string => fileURLToPath(import.meta.resolve('@guix-ops/plugin-api'))

const defaultExport = (mod: unknown): unknown =>
  mod && typeof mod === 'object' && 'default' in mod ? (mod as { default: unknown }).default : mod

/** Evaluates a JS or TS config by `import()`, with Node's type stripping when `native`, else with jiti. */
async function evaluateScript(file: string, native: boolean): Promise<unknown> {
  if (native) {
    const loaded = await importTypeScriptNatively(file, pluginApiEntry())
    if (loaded) return defaultExport(loaded.module)
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

/**
 * A TypeScript config that Node loads as it is, evaluated by `require`
 * within the deadline, as is each later call of its machine functions
 * (guarded-call.ts): then no watchdog thread is needed for it, as long as
 * its value is plain data (plain-value.ts). Undefined for a config that
 * must be imported instead (by jiti, or for its top-level await).
 */
async function requireBounded(file: string, deadline: EvaluationDeadline): Promise<Evaluated | 'import' | undefined> {
  const untouched = watchBuiltins()
  const required = await requireTypeScriptNatively(file, pluginApiEntry(), (evaluate) =>
    guardedCall(file, deadline, evaluate),
  )
  if (required === undefined) return undefined
  if (required === 'top-level-await') return 'import'
  const value = defaultExport(required.module)
  const copied = untouched()
    ? copyPlainConfig(
        value,
        (machine, call) =>
          (...args) => {
            const spec = guardedCall(file, { ...deadline, machine }, () => call(...args))
            // A promise, a getter: code that runs later, which only the watchdog thread can bound.
            if (!isPlainValue(spec, isStandIn)) needWatchdog()
            return spec
          },
        isStandIn,
      )
    : undefined
  if (copied) return { value: copied.value, guardedCalls: true }
  // Anything else (a promise of the deployment, a getter, a built-in changed) may run code later: the thread bounds it.
  needWatchdog()
  return { value: await value, guardedCalls: false }
}

type Evaluated = Pick<LoadedConfig, 'value' | 'guardedCalls'>

async function readFileValue(file: string, deadline: EvaluationDeadline | undefined): Promise<Evaluated> {
  try {
    if (!SCRIPT_EXTENSIONS.includes(path.extname(file))) return { value: await parseData(file), guardedCalls: false }
    const typescript = TYPESCRIPT_EXTENSIONS.includes(path.extname(file))
    // Within a deadline of its own too: what the module leaves to run once it is loaded (a promise's
    // callback) may still call process.exit, which stays refused until the value is read.
    const bound = deadline ?? { ms: DEFAULT_CONFIG_TIMEOUT_MS }
    const bounded = typescript
      ? await withinDeadline(file, bound, () => requireBounded(file, bound), { watchdog: 'on-demand' })
      : undefined
    if (bounded !== undefined && bounded !== 'import') return bounded
    const value = await withinDeadline(file, deadline, () => evaluateScript(file, bounded === 'import'))
    return { value, guardedCalls: false }
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
      const evaluated = await readFileValue(file, deadline)
      if (evaluated.value !== undefined && evaluated.value !== null) return { file, ...evaluated }
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
    return { file, ...(await readFileValue(file, options.deadline)) }
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
