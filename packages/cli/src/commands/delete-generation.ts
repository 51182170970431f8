import { deleteGeneration } from '@guix-ops/core'
import { Args } from '@oclif/core'
import { BaseCommand } from '../base/command.js'
import { configTimeoutFlag, deploymentFlag } from '../base/flags.js'

export default class DeleteGeneration extends BaseCommand {
  static override summary = 'Forget an old generation of a machine, on the host and in state (never the current one).'
  static override examples = ['<%= config.bin %> delete-generation -d shop db 1']
  static override args = {
    machine: Args.string({ required: true, description: 'machine name' }),
    number: Args.integer({ required: true, description: 'generation number' }),
  }
  static override flags = { deployment: deploymentFlag, 'config-timeout': configTimeoutFlag }

  async run(): Promise<{ machine: string; deleted: number }> {
    const { args, flags } = await this.parse(DeleteGeneration)
    await deleteGeneration(this.engine(flags['state-dir']), {
      deployment: flags.deployment,
      machine: args.machine,
      number: args.number,
    })
    this.log(`Deleted generation ${args.number} of ${args.machine}`)
    return { machine: args.machine, deleted: args.number }
  }
}
