import type { GuixOpsError } from '@guix-ops/plugin-api'

export type PluginKind = 'platform' | 'system'

/**
 * Where a plugin was found, highest precedence first: paths in the config's
 * `plugins` list, the deployment project's node_modules, plugins the user
 * installed into the CLI, the ones bundled with the CLI.
 */
export type PluginSource = 'config' | 'project' | 'user' | 'bundled'

export const SOURCE_ORDER: readonly PluginSource[] = ['config', 'project', 'user', 'bundled']

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

/** A package that declares plugins but cannot be used, reported by name. */
export interface PluginProblem {
  packageName: string
  packageDir: string
  error: GuixOpsError
  /** Platforms and systems the package declares but cannot provide. */
  declares?: { kind: PluginKind; name: string }[]
}

/** A package directory to inspect, and where it came from. */
export interface PackageCandidate {
  dir: string
  source: PluginSource
}
