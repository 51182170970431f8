import { Flags } from '@oclif/core'
import { BaseCommand } from '../../base/command.js'
import { orderedPlugins } from '../../base/plugin-list.js'
import { type PluginRow, pluginRows, renderPlugins } from '../../render/plugins.js'

export default class Plugins extends BaseCommand {
  static override summary = 'List the plugins: those bundled with guix-ops and those installed or linked, alike.'
  static override description =
    'Every plugin is an npm package that guix-ops loads the same way; SOURCE says where it came from: "bundled" with the CLI, "user" (plugins install) or "link" (plugins link). PROVIDES is read from its package.json: platforms, systems, hooks and commands.'
  static override examples = ['<%= config.bin %> plugins', '<%= config.bin %> plugins --json']
  static override flags = {
    core: Flags.boolean({ description: 'accepted for compatibility: bundled plugins are always listed', hidden: true }),
  }

  async run(): Promise<PluginRow[]> {
    await this.parse(Plugins)
    const rows = pluginRows(orderedPlugins(this.config))
    this.log(renderPlugins(rows))
    return rows
  }
}
