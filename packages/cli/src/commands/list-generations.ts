import { type GenerationRow, listGenerations } from '@guix-ops/core'
import { Args } from '@oclif/core'
import { BaseCommand } from '../base/command.js'
import { configTimeoutFlag, deploymentFlag } from '../base/flags.js'
import { table } from '../render/table.js'

export default class ListGenerations extends BaseCommand {
  static override summary = "List each machine's generations as its host knows them, and which is current."
  static override description =
    'Asks each deployed machine through its system driver; a machine that cannot be reached shows what guix-ops recorded, with a warning.'
  static override examples = [
    '<%= config.bin %> list-generations -d shop',
    '<%= config.bin %> list-generations -d shop db --json',
  ]
  static override args = { machine: Args.string({ description: 'only this machine' }) }
  static override flags = { deployment: deploymentFlag, 'config-timeout': configTimeoutFlag }

  async run(): Promise<GenerationRow[]> {
    const { args, flags } = await this.parse(ListGenerations)
    const rows = await listGenerations(this.engine(flags['state-dir']), {
      deployment: flags.deployment,
      ...(args.machine ? { machine: args.machine } : {}),
    })
    this.log(
      rows.length === 0
        ? 'No generations yet: deploy records one each time it changes a machine.'
        : table(
            ['MACHINE', 'GENERATION', 'CREATED', 'DESCRIPTION'],
            rows.map((r) => [
              r.machine,
              `${r.number}${r.current ? ' (current)' : ''}`,
              r.createdAt,
              r.description ?? '',
            ]),
          ),
    )
    return rows
  }
}
