import { listPlatforms, type PlatformRow } from '@guix-ops/core'
import { Flags } from '@oclif/core'
import { BaseCommand } from '../base/command.js'
import { configTimeoutFlag } from '../base/flags.js'
import { table } from '../render/table.js'

/** A platform's capabilities are known only once its module is loaded (--load). */
function capabilities(r: PlatformRow): string {
  if (r.capabilities !== null) return r.capabilities.join(',') || 'none'
  return r.kind === 'platform' ? '(--load)' : '-'
}

function render(rows: PlatformRow[]): string {
  if (rows.length === 0) return 'no platforms or systems found'
  return table(
    ['KIND', 'NAME', 'PACKAGE', 'VERSION', 'SOURCE', 'API', 'CAPABILITIES', 'PROBLEM'],
    rows.map((r) => [
      r.kind,
      r.name,
      r.package,
      r.version || '-',
      r.source,
      r.apiVersion === null ? '-' : String(r.apiVersion),
      capabilities(r),
      r.problem ? `${r.problem.code}: ${r.problem.message}` : '',
    ]),
  )
}

export default class Platforms extends BaseCommand {
  static override summary = 'List every platform, system driver and hooks module, and where each comes from.'
  static override description =
    'Read from package manifests without running plugin code. Sources, in precedence order: bundled with the CLI, installed with "plugins install|link", the project\'s node_modules, the config\'s "plugins" paths. --load also imports each module and checks it against the plugin contract.'
  static override examples = [
    '<%= config.bin %> platforms',
    '<%= config.bin %> platforms --load --json',
    '<%= config.bin %> platforms -c guix-ops.config.ts',
  ]
  static override flags = {
    config: Flags.string({ char: 'c', description: 'also list the plugins of this config file', helpValue: 'FILE' }),
    load: Flags.boolean({ description: 'import every module and check its contract (runs plugin code)' }),
    'config-timeout': configTimeoutFlag,
  }

  async run(): Promise<PlatformRow[]> {
    const { flags } = await this.parse(Platforms)
    const rows = await listPlatforms(this.engine(flags['state-dir']), {
      ...(flags.config === undefined ? {} : { config: flags.config }),
      load: flags.load,
    })
    this.log(render(rows))
    return rows
  }
}
