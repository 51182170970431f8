import type { GuixOpsError } from '@guix-ops/plugin-api'

export type PluginKind = 'platform' | 'system'

/**
 * Where a plugin was found, in precedence order: built into the core,
 * bundled with the CLI, installed or linked into the CLI by the user
 * (`guix-ops plugins install|link`), the deployment project's
 * node_modules, a path in the config's `plugins` list. A package found in
 * several places is listed under the first of these; a name declared by
 * two different packages is an error.
 */
export type PluginSource = 'builtin' | 'bundled' | 'config' | 'project' | 'user'

export const SOURCE_ORDER: readonly PluginSource[] = ['builtin', 'bundled', 'user', 'project', 'config']

/** One platform or system as a package.json declares it; nothing imported yet. */
export interface PluginEntry {
  kind: PluginKind
  name: string
  packageName: string
  version: string
  /** Absolute, real path of the package directory. */
  packageDir: string
  /** Absolute path of the module whose default export is the definition. */
  modulePath: string
  source: PluginSource
  apiVersion: number
}

/** A package's lifecycle hook module, imported only when a deploy runs. */
export interface HookEntry {
  packageName: string
  version: string
  packageDir: string
  modulePath: string
  source: PluginSource
  apiVersion: number
}

/** A package that declares plugins but cannot be used, reported by name. */
export interface PluginProblem {
  packageName: string
  packageDir: string
  source: PluginSource
  error: GuixOpsError
  /** Platforms and systems the package declares but cannot provide. */
  declares?: { kind: PluginKind; name: string }[]
}

/**
 * A plugin package the CLI loaded (oclif's plugin list): one that ships with
 * it (listed in its `oclif.plugins`) or one the user installed or linked.
 */
export interface CliPlugin {
  dir: string
  bundled: boolean
}

/** A package directory to inspect, and where it came from. */
export interface PackageCandidate {
  dir: string
  source: PluginSource
}

/** What the engine needs from a registry: definitions by name (tests pass inline ones). */
export interface PluginResolver {
  platform(name: string): Promise<import('@guix-ops/plugin-api').PlatformDefinition>
  system(name: string): Promise<import('@guix-ops/plugin-api').SystemDefinition>
}
