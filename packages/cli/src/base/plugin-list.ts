/**
 * The plugins oclif loaded, in a stable order: those bundled with the CLI
 * (its `oclif.plugins`) in the order it lists them, then those installed or
 * linked by the user. oclif loads them concurrently, so its own order varies.
 */
import type { Config, Interfaces } from '@oclif/core'

export function orderedPlugins(config: Config): Interfaces.Plugin[] {
  const bundled = config.pjson.oclif.plugins ?? []
  const rank = (p: Interfaces.Plugin) => (p.type === 'core' ? bundled.indexOf(p.name) : bundled.length)
  return config
    .getPluginsList()
    .filter((p) => !p.isRoot)
    .sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name))
}
