/**
 * The platforms and system drivers available to a deployment. Built from
 * package manifests alone; a module is imported the first time a deployment
 * uses one of its definitions, and a broken plugin is reported by name
 * without stopping the others.
 */
import { pathToFileURL } from 'node:url'
import { GuixOpsError, type HookPlugin, type PlatformDefinition, type SystemDefinition } from '@guix-ops/plugin-api'
import { ErrorCode } from '../codes.js'
import { closest } from '../config/describe.js'
import { checkHooks, checkPlatform, checkSystem } from './contract.js'
import { type DiscoveryOptions, discoverPackages } from './discover.js'
import { provideHostApi } from './host-api.js'
import { readManifest } from './manifest.js'
import type { HookEntry, PluginEntry, PluginKind, PluginProblem } from './types.js'

type LoadableEntry = Pick<PluginEntry, 'name' | 'packageName' | 'modulePath'> & { kind: PluginKind | 'hooks' }

export class PluginRegistry {
  /** First entry per kind and name, in precedence order. */
  private readonly byName = new Map<string, PluginEntry>()
  /** Names declared by more than one package: unusable until resolved. */
  private readonly conflicts = new Map<string, PluginEntry[]>()
  private readonly loaded = new Map<string, Promise<unknown>>()

  constructor(
    readonly entries: readonly PluginEntry[],
    readonly problems: readonly PluginProblem[],
    readonly hooks: readonly HookEntry[] = [],
    /** `kind:name` -> the package that provided it at the last deploy. */
    private readonly recordedProviders: Record<string, string> = {},
  ) {
    for (const entry of entries) {
      const key = `${entry.kind}:${entry.name}`
      const first = this.byName.get(key)
      if (!first) this.byName.set(key, entry)
      else this.conflicts.set(key, [...(this.conflicts.get(key) ?? [first]), entry])
    }
  }

  static discover(options: DiscoveryOptions): PluginRegistry {
    const entries: PluginEntry[] = []
    const problems: PluginProblem[] = []
    const hooks: HookEntry[] = []
    for (const candidate of discoverPackages(options)) {
      const result = readManifest(candidate)
      if (result.error) {
        problems.push({
          packageName: result.packageName,
          packageDir: candidate.dir,
          source: candidate.source,
          error: result.error,
          ...(result.unusable ? { declares: result.unusable } : {}),
        })
      } else if (result.entries) {
        entries.push(...result.entries)
        if (result.hooks) hooks.push(result.hooks)
      }
    }
    return new PluginRegistry(entries, problems, hooks, options.recordedProviders)
  }

  /** Names of every usable definition of a kind, sorted. */
  names(kind: PluginKind): string[] {
    return [...this.byName.values()]
      .filter((e) => e.kind === kind)
      .map((e) => e.name)
      .sort()
  }

  /** The entry for a name, or an error explaining why there is none. */
  entry(kind: PluginKind, name: string): PluginEntry {
    const key = `${kind}:${name}`
    const clash = this.conflicts.get(key)
    if (clash) {
      const packages = clash.map((e) => `${e.packageName} (${e.source}, ${e.packageDir})`).join(' and ')
      throw new GuixOpsError(ErrorCode.PluginConflict, `${kind} "${name}" is provided by two packages: ${packages}`, {
        where: { plugin: name },
        suggestion: 'uninstall or unlink one of them',
      })
    }
    const found = this.byName.get(key)
    if (found) return found
    const broken = this.problems.find((p) => p.declares?.some((d) => d.kind === kind && d.name === name))
    if (broken) {
      const reason = broken.error.message.replace(`plugin ${broken.packageName}: `, '')
      throw new GuixOpsError(
        broken.error.code,
        `${kind} "${name}" is provided by ${broken.packageName}, which was ${reason}`,
        {
          where: { plugin: broken.packageName, ...(broken.error.where?.file ? { file: broken.error.where.file } : {}) },
          suggestion: `install a version of ${broken.packageName} made for this guix-ops, or upgrade guix-ops`,
        },
      )
    }
    const provider = this.recordedProviders[key]
    if (provider) {
      throw new GuixOpsError(
        kind === 'platform' ? ErrorCode.UnknownPlatform : ErrorCode.UnknownSystem,
        `${kind} "${name}" is missing: this deployment was deployed with it from the package ${provider}, which is no longer installed`,
        { where: { plugin: provider }, suggestion: `guix-ops plugins install ${provider}` },
      )
    }
    const known = this.names(kind)
    const guess = closest(name, known)
    const failed = this.problems.map((p) => p.packageName)
    const hints = [
      guess ? `did you mean "${guess}"?` : undefined,
      `known ${kind}s: ${known.length ? known.join(', ') : 'none'}`,
      failed.length ? `plugins that failed to load: ${failed.join(', ')}` : undefined,
    ].filter(Boolean)
    throw new GuixOpsError(
      kind === 'platform' ? ErrorCode.UnknownPlatform : ErrorCode.UnknownSystem,
      `unknown ${kind} "${name}"`,
      { where: { plugin: name }, suggestion: hints.join('; ') },
    )
  }

  platform(name: string): Promise<PlatformDefinition> {
    const entry = this.entry('platform', name)
    return this.load(entry, (value) => checkPlatform(entry, value))
  }

  system(name: string): Promise<SystemDefinition> {
    const entry = this.entry('system', name)
    return this.load(entry, (value) => checkSystem(entry, value))
  }

  /** Every package's lifecycle hook plugin, imported now, in precedence order. */
  hookPlugins(): Promise<HookPlugin[]> {
    return Promise.all(
      this.hooks.map((entry) =>
        this.load({ ...entry, kind: 'hooks', name: entry.packageName }, (value) => checkHooks(entry, value)),
      ),
    )
  }

  private load<T>(entry: LoadableEntry, check: (value: unknown) => T): Promise<T> {
    const key = `${entry.kind}:${entry.name}`
    let pending = this.loaded.get(key) as Promise<T> | undefined
    if (!pending) {
      provideHostApi()
      pending = import(pathToFileURL(entry.modulePath).href).then(
        (mod: { default?: unknown }) => check(mod.default),
        (error: unknown) => {
          throw new GuixOpsError(
            ErrorCode.PluginLoad,
            `${entry.kind} "${entry.name}" from ${entry.packageName} failed to load: ${(error as Error)?.message ?? String(error)}`,
            { where: { plugin: entry.packageName, file: entry.modulePath }, cause: error },
          )
        },
      )
      this.loaded.set(key, pending)
    }
    return pending
  }
}
