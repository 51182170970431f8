import { findDeployment } from '@guix-ops/core'
import { GuixOpsError } from '@guix-ops/plugin-api'
import { Args } from '@oclif/core'
import { BaseCommand } from '../base/command.js'
import { deploymentFlag } from '../base/flags.js'
import { table } from '../render/table.js'

interface Row {
  machine: string
  number: number
  createdAt: string
  description?: string
  current: boolean
}

export default class ListGenerations extends BaseCommand {
  static override summary = 'List the generations each deploy recorded, per machine, and which is current.'
  static override examples = [
    '<%= config.bin %> list-generations -d shop',
    '<%= config.bin %> list-generations -d shop db --json',
  ]
  static override args = { machine: Args.string({ description: 'only this machine' }) }
  static override flags = { deployment: deploymentFlag }

  async run(): Promise<Row[]> {
    const { args, flags } = await this.parse(ListGenerations)
    const state = await findDeployment(this.engine(flags['state-dir']), flags.deployment)
    if (args.machine && !state.machines[args.machine]) {
      throw new GuixOpsError('E_USAGE', `deployment "${state.name}" has no machine "${args.machine}"`, {
        suggestion: `machines: ${Object.keys(state.machines).join(', ')}`,
      })
    }
    const rows: Row[] = []
    for (const [machine, m] of Object.entries(state.machines)) {
      if (args.machine && machine !== args.machine) continue
      const generations = [...(m.generations ?? [])].sort((a, b) => a.number - b.number)
      const newest = m.currentGeneration ?? generations.at(-1)?.number
      for (const g of generations) rows.push({ machine, ...g, current: g.number === newest })
    }
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
