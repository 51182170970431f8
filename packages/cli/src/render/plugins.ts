/** `guix-ops plugins`: the CLI's plugins as oclif loaded them, bundled and installed alike. */
import type { Interfaces } from '@oclif/core'
import { table } from './table.js'

export interface PluginRow {
  name: string
  version: string
  /** oclif's word: core (bundled), user (installed) or link. */
  type: string
  source: 'bundled' | 'user' | 'link'
  root: string
  provides: string[]
}

function provides(plugin: Interfaces.Plugin): string[] {
  const manifest = (plugin.pjson as { 'guix-ops'?: Record<string, unknown> })['guix-ops'] ?? {}
  const named = (key: string, kind: string) =>
    Object.keys((manifest[key] as object | undefined) ?? {}).map((name) => `${kind} ${name}`)
  return [
    ...named('platforms', 'platform'),
    ...named('systems', 'system'),
    ...(typeof manifest.hooks === 'string' ? ['hooks'] : []),
    ...plugin.commands.filter((c) => !c.hidden).map((c) => `command ${c.id.replaceAll(':', ' ')}`),
  ]
}

/** A plugin with many commands (oclif's own) would fill the line: name a few, count the rest. */
function shortened(provided: string[]): string {
  const commands = provided.filter((p) => p.startsWith('command '))
  if (commands.length <= 3) return provided.join(', ')
  return [...provided.filter((p) => !p.startsWith('command ')), `${commands.length} commands`].join(', ')
}

function sourceOf(plugin: Interfaces.Plugin): PluginRow['source'] {
  if (plugin.type === 'core') return 'bundled'
  return plugin.type === 'link' ? 'link' : 'user'
}

/** One row per top-level plugin, in the order given. */
export function pluginRows(plugins: Interfaces.Plugin[]): PluginRow[] {
  return plugins
    .filter((p) => !p.parent)
    .map((p) => ({
      name: p.name,
      version: p.version,
      type: p.type,
      source: sourceOf(p),
      root: p.root,
      provides: provides(p),
    }))
}

export function renderPlugins(rows: PluginRow[]): string {
  return table(
    ['NAME', 'VERSION', 'SOURCE', 'PROVIDES'],
    rows.map((r) => [r.name, r.version, r.source === 'link' ? `link ${r.root}` : r.source, shortened(r.provides)]),
  )
}
