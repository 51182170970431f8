/**
 * Loads a TypeScript config with Node's own type stripping instead of jiti
 * when it can be known beforehand that Node will run it the same way: the
 * config uses only erasable TypeScript and imports nothing but Node's
 * built-ins and `@guix-ops/plugin-api`. jiti brings in Babel to do the
 * same, which costs about 18 MB more memory and 0.2 s more.
 *
 * A config is never evaluated twice: Node strips the types while loading
 * the file, before any of it runs, and refuses syntax that it cannot erase
 * (enums, namespaces, parameter properties) with an error; only then is the
 * config handed to jiti instead. Whatever this module cannot vouch for
 * (relative imports, other packages, `require`, `__dirname`) goes to jiti
 * from the start. https://nodejs.org/api/typescript.html#type-stripping
 */
import { readFileSync } from 'node:fs'
import { createRequire, registerHooks } from 'node:module'
import path from 'node:path'
import { pathToFileURL } from 'node:url'

const PLUGIN_API = '@guix-ops/plugin-api'
const nodeRequire = createRequire(import.meta.url)

/** What marks a config's URL: its load is ours, and each load evaluates afresh (urlFor). */
const MARK = 'guix-ops-config'

/** Static imports: `import [type] <clause> from '<specifier>'`. */
const IMPORT_STATEMENT = /\bimport\s+(type\s+)?(\{[^}]*\}|\*\s*as\s+[\w$]+|[\w$]+)\s+from\s*(['"])([^'"]+)\3/g
/** What jiti gives a config and Node's ES modules do not. */
const COMMONJS_ONLY = /\brequire\s*\(|\bmodule\.exports\b|\bexports\.|\b__dirname\b|\b__filename\b/

/** The names a `{ a, type B, c as d }` clause takes at run time. */
function valueNames(clause: string): string[] {
  return clause
    .replace(/[{}]/g, '')
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '' && !part.startsWith('type '))
    .map((part) => part.split(/\s+as\s+/)[0]!.trim())
}

function importAllowed(match: RegExpMatchArray, pluginApiNames: ReadonlySet<string>): boolean {
  const [, typeOnly, clause, , specifier] = match
  if (specifier!.startsWith('node:')) return true
  if (specifier !== PLUGIN_API) return false
  if (typeOnly || clause!.startsWith('*')) return true
  if (!clause!.startsWith('{')) return false // the plugin API has no default export
  return valueNames(clause!).every((name) => pluginApiNames.has(name))
}

/** True when Node's loader will run `source` as jiti would, provided its types can be erased. */
export function loadableNatively(source: string, pluginApiNames: ReadonlySet<string>): boolean {
  if (COMMONJS_ONLY.test(source) || !/\bexport\s+default\b/.test(source)) return false
  const statements = [...source.matchAll(IMPORT_STATEMENT)]
  if (!statements.every((match) => importAllowed(match, pluginApiNames))) return false
  // Any other `import` (side effect, dynamic) or `from` (re-export) is one this check did not read.
  const imports = source.match(/\bimport\b(?!\s*\.\s*meta\b)/g)?.length ?? 0
  const froms = source.match(/\bfrom\s*['"]/g)?.length ?? 0
  return imports === statements.length && froms === statements.length
}

/** Sources of the configs being loaded, by marked URL. */
const pending = new Map<string, string>()
let hooked = false
let loads = 0

function hookOnce(pluginApiUrl: string): void {
  if (hooked) return
  hooked = true
  registerHooks({
    resolve(specifier, context, nextResolve) {
      if (specifier === PLUGIN_API && context.parentURL !== undefined && pending.has(context.parentURL)) {
        return { url: pluginApiUrl, shortCircuit: true }
      }
      // `require` takes the marked URL as it is (import would resolve it the same).
      if (pending.has(specifier)) return { url: specifier, format: 'module-typescript', shortCircuit: true }
      return nextResolve(specifier, context)
    },
    load(url, context, nextLoad) {
      const source = pending.get(url)
      if (source === undefined) return nextLoad(url, context)
      return { format: 'module-typescript', source, shortCircuit: true }
    },
  })
}

/** Errors Node raises while stripping types, before any of the config has run. */
const NOT_ERASABLE = new Set(['ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX', 'ERR_INVALID_TYPESCRIPT_SYNTAX'])

/** How the config's module is evaluated once its URL is ready: by `import()`, or by `require` within a bound. */
type Evaluate = (url: string) => Promise<unknown> | unknown

const required = new Set<string>()

/**
 * The URL a load evaluates, new for each load so that each evaluates
 * afresh. `import()` keys its cache by the whole URL, so a query marks it;
 * `require` keys its cache by the file's path and drops a query, so a
 * config is required at its own URL the first time (the CLI's only time:
 * `import.meta` is then exactly the file's) and at a marked file name after.
 */
function urlFor(file: string, via: 'import' | 'require'): string {
  const url = pathToFileURL(file).href
  loads += 1
  if (via === 'import') return `${url}?${MARK}=${loads}`
  if (required.has(file)) return `${url}.${MARK}-${loads}${path.extname(file)}`
  required.add(file)
  return url
}

/** Marks the config's URL for the hooks, and evaluates it with `evaluate`; undefined when it must go to jiti. */
async function loadNatively(
  file: string,
  pluginApiEntry: string,
  via: 'import' | 'require',
  evaluate: Evaluate,
): Promise<{ module: Record<string, unknown> } | undefined> {
  // Off when Node runs with --no-experimental-strip-types.
  if (!process.features.typescript) return undefined
  const source = readFileSync(file, 'utf8')
  const pluginApi = (await import(PLUGIN_API)) as Record<string, unknown>
  if (!loadableNatively(source, new Set(Object.keys(pluginApi)))) return undefined
  hookOnce(pathToFileURL(pluginApiEntry).href)
  const url = urlFor(file, via)
  pending.set(url, source)
  try {
    return { module: (await evaluate(url)) as Record<string, unknown> }
  } catch (error) {
    if (NOT_ERASABLE.has((error as { code?: unknown })?.code as string)) return undefined
    throw error
  } finally {
    pending.delete(url)
  }
}

/**
 * The config's module when Node could load it; undefined when it must go
 * to jiti (nothing of it has run then).
 */
export function importTypeScriptNatively(
  file: string,
  pluginApiEntry: string,
): Promise<{ module: Record<string, unknown> } | undefined> {
  return loadNatively(file, pluginApiEntry, 'import', (url) => import(url))
}

/**
 * As importTypeScriptNatively, but evaluated at once by `require`, inside
 * `bound` (guarded-call.ts). 'top-level-await' for a config that awaits at
 * its top level: `require` refuses it before any of it runs.
 * https://nodejs.org/api/modules.html#loading-ecmascript-modules-using-require
 */
export async function requireTypeScriptNatively(
  file: string,
  pluginApiEntry: string,
  bound: (evaluate: () => unknown) => unknown,
): Promise<{ module: Record<string, unknown> } | 'top-level-await' | undefined> {
  try {
    return await loadNatively(file, pluginApiEntry, 'require', (url) => bound(() => nodeRequire(url)))
  } catch (error) {
    if ((error as { code?: unknown })?.code === 'ERR_REQUIRE_ASYNC_MODULE') return 'top-level-await'
    throw error
  }
}
