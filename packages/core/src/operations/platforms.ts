/**
 * `platforms`: every platform, system and hooks module the CLI can see, from
 * package manifests alone; with `load`, each module is imported and checked
 * against the contract too, which fills in capabilities and load problems.
 */
import path from 'node:path'
import { isGuixOpsError } from '@guix-ops/plugin-api'
import { ErrorCode } from '../codes.js'
import { PluginRegistry, type PluginSource } from '../registry/index.js'
import { readConfig } from './config-source.js'
import type { EngineContext } from './context.js'

export interface PlatformRow {
  kind: 'platform' | 'system' | 'hooks'
  name: string
  package: string
  version: string
  source: PluginSource
  apiVersion: number | null
  /** Known once loaded; null when not loaded or not a platform. */
  capabilities: string[] | null
  problem: { code: string; message: string } | null
}

function problemOf(error: unknown): PlatformRow['problem'] {
  return isGuixOpsError(error)
    ? { code: error.code, message: error.message }
    : { code: ErrorCode.PluginLoad, message: String(error) }
}

async function discover(ctx: EngineContext, configFile: string | undefined): Promise<PluginRegistry> {
  const base = { cliPlugins: ctx.cliPlugins ?? [] }
  if (configFile === undefined) return PluginRegistry.discover({ ...base, projectDir: ctx.cwd })
  const config = await readConfig(ctx, configFile)
  return PluginRegistry.discover({
    ...base,
    projectDir: path.dirname(config.file),
    configPlugins: [...new Set(config.deployments.flatMap((d) => d.plugins))],
  })
}

export async function listPlatforms(
  ctx: EngineContext,
  options: { config?: string; load?: boolean },
): Promise<PlatformRow[]> {
  const registry = await discover(ctx, options.config)
  const rows: PlatformRow[] = []
  for (const entry of registry.entries) {
    const row: PlatformRow = {
      kind: entry.kind,
      name: entry.name,
      package: entry.packageName,
      version: entry.version,
      source: entry.source,
      apiVersion: entry.apiVersion,
      capabilities: null,
      problem: null,
    }
    try {
      registry.entry(entry.kind, entry.name) // a name from two packages fails here
      if (options.load && entry.kind === 'platform') {
        const platform = await registry.platform(entry.name)
        row.capabilities = Object.entries(platform.capabilities)
          .filter(([, on]) => on === true)
          .map(([name]) => name)
      } else if (options.load) await registry.system(entry.name)
    } catch (error) {
      row.problem = problemOf(error)
    }
    rows.push(row)
  }
  for (const hooks of registry.hooks) {
    const row: PlatformRow = {
      kind: 'hooks',
      name: hooks.packageName,
      package: hooks.packageName,
      version: hooks.version,
      source: hooks.source,
      apiVersion: hooks.apiVersion,
      capabilities: null,
      problem: null,
    }
    rows.push(row)
  }
  if (options.load) {
    await registry.hookPlugins().catch((error: unknown) => {
      const failed = rows.find((r) => r.kind === 'hooks' && isGuixOpsError(error) && error.where?.plugin === r.package)
      if (failed) failed.problem = problemOf(error)
    })
  }
  for (const problem of registry.problems) {
    const declared = problem.declares?.length ? problem.declares : [{ kind: 'platform' as const, name: '-' }]
    for (const d of declared) {
      rows.push({
        kind: d.kind,
        name: d.name,
        package: problem.packageName,
        version: '',
        source: problem.source,
        apiVersion: null,
        capabilities: null,
        problem: problemOf(problem.error),
      })
    }
  }
  return rows
}
