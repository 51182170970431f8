/**
 * Finds the packages that may provide plugins. A package found twice (a
 * workspace link and a bundled copy) counts once, under the first source
 * that found it. The plugins that ship with the CLI and those a user
 * installed into it come from one list, the CLI's own (oclif's), and are
 * read alike: only where each came from differs.
 */
import { existsSync, readdirSync, realpathSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { CliPlugin, PackageCandidate, PluginSource } from './types.js'

export interface DiscoveryOptions {
  /** Package dirs from the config's `plugins` lists. */
  configPlugins?: string[]
  /** The deployment project's dir: its node_modules (and its parents') are scanned. */
  projectDir?: string
  /** The CLI's plugins: those it ships with and those the user installed or linked. */
  cliPlugins?: readonly CliPlugin[]
  /** Which package provided each `kind:name` when the deployment was last deployed. */
  recordedProviders?: Record<string, string>
}

/** The package root: the nearest package.json above this file (built as dist/ or bundled as bundle/). */
const CORE_PACKAGE_DIR: string = packageRootAbove(fileURLToPath(import.meta.url))

function packageRootAbove(file: string): string {
  let dir = path.dirname(file)
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir)
    if (parent === dir) throw new Error(`no package.json above ${file}`)
    dir = parent
  }
  return dir
}

function packagesIn(nodeModules: string): string[] {
  const dirs: string[] = []
  let names: string[]
  try {
    names = readdirSync(nodeModules)
  } catch {
    return dirs
  }
  for (const name of names) {
    if (name.startsWith('.')) continue
    const full = path.join(nodeModules, name)
    if (name.startsWith('@')) {
      try {
        for (const scoped of readdirSync(full)) dirs.push(path.join(full, scoped))
      } catch {
        // an unreadable scope dir holds no usable plugin
      }
    } else {
      dirs.push(full)
    }
  }
  return dirs
}

/** node_modules dirs from `dir` up to the filesystem root, nearest first. */
function nodeModulesUpFrom(dir: string): string[] {
  const found: string[] = []
  let current = path.resolve(dir)
  for (;;) {
    const candidate = path.join(current, 'node_modules')
    if (existsSync(candidate)) found.push(candidate)
    const parent = path.dirname(current)
    if (parent === current) return found
    current = parent
  }
}

export function discoverPackages(options: DiscoveryOptions): PackageCandidate[] {
  const ordered: PackageCandidate[] = []
  const add = (dirs: string[], source: PluginSource) => {
    for (const dir of dirs) ordered.push({ dir, source })
  }
  // The core's own package.json declares its built-in platforms (managed).
  add([CORE_PACKAGE_DIR], 'builtin')
  // Bundled and installed plugins come from one list and are read alike.
  const cliPluginDirs = (bundled: boolean) =>
    (options.cliPlugins ?? []).filter((p) => p.bundled === bundled).map((p) => p.dir)
  add(cliPluginDirs(true), 'bundled')
  // Then, in this order: what the user installed or linked into the CLI,
  // the deployment project's node_modules, the config's `plugins` paths.
  add(cliPluginDirs(false), 'user')
  if (options.projectDir) {
    for (const nm of nodeModulesUpFrom(options.projectDir)) {
      add(
        packagesIn(nm).filter((d) => existsSync(path.join(d, 'package.json'))),
        'project',
      )
    }
  }
  add(options.configPlugins ?? [], 'config')

  const seen = new Set<string>()
  const unique: PackageCandidate[] = []
  for (const candidate of ordered) {
    let real: string
    try {
      real = realpathSync(candidate.dir)
    } catch {
      real = path.resolve(candidate.dir) // missing: readManifest reports it
    }
    if (seen.has(real)) continue
    seen.add(real)
    unique.push(candidate)
  }
  return unique
}
