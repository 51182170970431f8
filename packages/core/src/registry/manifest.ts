/**
 * Reads the `guix-ops` key of a plugin package's package.json, checked with
 * zod schemas. Nothing is imported: listing plugins must stay cheap and must
 * not run their code.
 */
import { readFileSync, realpathSync } from 'node:fs'
import path from 'node:path'
import { API_VERSION, GuixOpsError } from '@guix-ops/plugin-api'
import { ErrorCode } from '../codes.js'
import type { HookEntry, PackageCandidate, PluginEntry, PluginKind } from './types.js'
import { zod } from './zod.js'

export interface ManifestResult {
  packageName: string
  /** Undefined when the package has no `guix-ops` key: not a plugin. */
  entries?: PluginEntry[]
  /** The package's lifecycle hook module, if it declares one. */
  hooks?: HookEntry
  error?: GuixOpsError
  /** Names the package declares but cannot provide (wrong API version). */
  unusable?: { kind: PluginKind; name: string }[]
}

const KIND_KEYS: Record<PluginKind, 'platforms' | 'systems'> = { platform: 'platforms', system: 'systems' }
/** The rule for platform and system names. */
const NAME = /^[a-z0-9][a-z0-9-]*$/

function manifestError(file: string, packageName: string, message: string, code: string = ErrorCode.PluginManifest) {
  return new GuixOpsError(code, `plugin ${packageName}: ${message}`, {
    where: { file, plugin: packageName },
    suggestion: code === ErrorCode.PluginApiVersion ? undefined : 'fix the "guix-ops" key of its package.json',
  })
}

/** The schemas of the `guix-ops` key, made once zod is loaded. */
function schemas() {
  const z = zod()
  const declared = z.record(z.string().regex(NAME), z.string())
  return {
    key: z.record(z.string(), z.unknown()),
    apiVersion: z.number(),
    body: z.looseObject({ platforms: declared.optional(), systems: declared.optional(), hooks: z.string().optional() }),
  }
}
let cachedSchemas: ReturnType<typeof schemas> | undefined

/** What a problem with the body says, by the field it is at. */
function bodyMessage(issue: { path: PropertyKey[] }): string {
  const [key, name] = issue.path.map(String)
  if (key === 'hooks') return '"guix-ops.hooks" must be a module path'
  if (name === undefined) return `"guix-ops.${key}" must map names to module paths`
  return `"guix-ops.${key}.${name}" must be a lower-case name mapped to a module path`
}

/** Names declared under `platforms`/`systems`, read without trusting the rest. */
function declaredNames(m: Record<string, unknown>): { kind: PluginKind; name: string }[] {
  const names: { kind: PluginKind; name: string }[] = []
  for (const kind of ['platform', 'system'] as const) {
    const declared = m[KIND_KEYS[kind]]
    if (typeof declared === 'object' && declared !== null) {
      for (const name of Object.keys(declared)) names.push({ kind, name })
    }
  }
  return names
}

export function readManifest(candidate: PackageCandidate): ManifestResult {
  const file = path.join(candidate.dir, 'package.json')
  let pkg: Record<string, unknown>
  let packageDir: string
  try {
    packageDir = realpathSync(candidate.dir)
    pkg = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>
  } catch (error) {
    const name = path.basename(candidate.dir)
    return {
      packageName: name,
      error: manifestError(file, name, `cannot read package.json: ${(error as Error).message}`),
    }
  }
  const packageName = typeof pkg.name === 'string' ? pkg.name : path.basename(candidate.dir)
  const manifest = pkg['guix-ops']
  if (manifest === undefined) return { packageName }
  const fail = (message: string, code?: string): ManifestResult => ({
    packageName,
    error: manifestError(file, packageName, message, code),
  })
  cachedSchemas ??= schemas()
  const key = cachedSchemas.key.safeParse(manifest)
  if (!key.success) return fail(`"guix-ops" must be an object, got ${typeof manifest}`)
  const m = key.data
  // Other settings under the key do not make a plugin.
  if (!['apiVersion', 'platforms', 'systems', 'hooks'].some((k) => k in m)) return { packageName }
  const apiVersion = cachedSchemas.apiVersion.safeParse(m.apiVersion)
  if (!apiVersion.success) return fail(`"guix-ops.apiVersion" must be a number (this guix-ops speaks ${API_VERSION})`)
  if (apiVersion.data !== API_VERSION) {
    return {
      ...fail(
        `built for plugin API version ${apiVersion.data}, but this guix-ops speaks version ${API_VERSION}`,
        ErrorCode.PluginApiVersion,
      ),
      unusable: declaredNames(m),
    }
  }
  const body = cachedSchemas.body.safeParse(m)
  if (!body.success) return fail(bodyMessage(body.error.issues[0]!))
  const version = typeof pkg.version === 'string' ? pkg.version : '0.0.0'
  const common = { packageName, version, packageDir, source: candidate.source, apiVersion: API_VERSION }
  return withModules(body.data, packageDir, common, fail)
}

type Common = Omit<HookEntry, 'modulePath'>
type Declared = { platforms?: Record<string, string>; systems?: Record<string, string>; hooks?: string }

/** The declared module paths made absolute; one that leaves the package is refused. */
function withModules(
  m: Declared,
  packageDir: string,
  common: Common,
  fail: (message: string) => ManifestResult,
): ManifestResult {
  const inPackage = (modulePath: string) => {
    const resolved = path.resolve(packageDir, modulePath)
    return resolved.startsWith(packageDir + path.sep) ? resolved : undefined
  }
  const entries: PluginEntry[] = []
  for (const kind of ['platform', 'system'] as const) {
    const key = KIND_KEYS[kind]
    for (const [name, modulePath] of Object.entries(m[key] ?? {})) {
      const resolved = inPackage(modulePath)
      if (!resolved) return fail(`"guix-ops.${key}.${name}" points outside the package: ${modulePath}`)
      entries.push({ kind, name, modulePath: resolved, ...common })
    }
  }
  const packageName = common.packageName
  if (m.hooks === undefined) return { packageName, entries }
  const hooksModule = inPackage(m.hooks)
  if (!hooksModule) return fail(`"guix-ops.hooks" points outside the package: ${m.hooks}`)
  return { packageName, entries, hooks: { modulePath: hooksModule, ...common } }
}
