/**
 * Finds and loads a config file. cosmiconfig does the search (cwd upward);
 * jiti loads JS and TypeScript configs without a build step, with
 * `@guix-ops/plugin-api` resolved to our own copy so that a config anywhere
 * on disk can import `defineDeployment` without installing anything. Both
 * are imported only when a config is read: `list` and `info` start faster.
 */
import { existsSync, statSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { GuixOpsError } from '@guix-ops/plugin-api'
import type { Loader } from 'cosmiconfig'
import { ErrorCode } from '../codes.js'

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

const loadScript: Loader = async (file) => {
  const { createJiti } = await import('jiti')
  const jiti = createJiti(import.meta.url, {
    alias: { '@guix-ops/plugin-api': pluginApiEntry() },
    moduleCache: false,
    fsCache: false,
    interopDefault: true,
  })
  const mod = await jiti.import<unknown>(file)
  return mod && typeof mod === 'object' && 'default' in mod ? (mod as { default: unknown }).default : mod
}

const SCRIPT_EXTENSIONS = ['.ts', '.mts', '.js', '.mjs']
const DATA_EXTENSIONS = ['.json', '.yaml', '.yml']
const EXTENSIONS = [...SCRIPT_EXTENSIONS, ...DATA_EXTENSIONS]

async function explorer() {
  const { cosmiconfig, defaultLoaders } = await import('cosmiconfig')
  const loaders: Record<string, Loader> = Object.fromEntries([
    ...SCRIPT_EXTENSIONS.map((e) => [e, loadScript]),
    ...DATA_EXTENSIONS.map((e) => [e, defaultLoaders[e as '.json']]),
  ])
  return cosmiconfig(CONFIG_MODULE, {
    searchPlaces: [...CONFIG_SEARCH_PLACES],
    searchStrategy: 'global',
    stopDir: path.parse(process.cwd()).root,
    loaders,
    cache: false,
  })
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
export async function loadConfig(options: { file?: string; cwd?: string } = {}): Promise<LoadedConfig> {
  const cwd = options.cwd ?? process.cwd()
  if (options.file !== undefined) {
    const file = path.resolve(cwd, options.file)
    if (!existsSync(file) || !statSync(file).isFile()) {
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
    try {
      const result = await (await explorer()).load(file)
      return { file, value: result?.config }
    } catch (error) {
      throw loadFailed(file, error)
    }
  }
  let found: Awaited<ReturnType<Awaited<ReturnType<typeof explorer>>['search']>>
  try {
    found = await (await explorer()).search(cwd)
  } catch (error) {
    const file = (error as { filepath?: string }).filepath ?? cwd
    throw loadFailed(file, error)
  }
  if (!found) {
    throw new GuixOpsError(ErrorCode.ConfigNotFound, `no guix-ops config found in ${cwd} or any parent directory`, {
      where: { file: cwd },
      suggestion: `create guix-ops.config.ts (see examples/quickstart), or pass the file's path`,
    })
  }
  return { file: found.filepath, value: found.config }
}
