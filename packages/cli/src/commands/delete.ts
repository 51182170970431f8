import { deleteDeployment } from '@guix-ops/core'
import { Flags } from '@oclif/core'
import { BaseCommand } from '../base/command.js'
import { configTimeoutFlag, deploymentFlag } from '../base/flags.js'

export default class Delete extends BaseCommand {
  static override summary =
    'Forget a deployment. Refuses while machines it created still exist, unless --force and they are all stopped.'
  static override examples = ['<%= config.bin %> delete -d shop', '<%= config.bin %> delete -d shop --force']
  static override flags = {
    deployment: deploymentFlag,
    force: Flags.boolean({
      description: 'forget it although machines still exist, when they are stopped (never one that still runs)',
    }),
    'config-timeout': configTimeoutFlag,
  }

  async run(): Promise<{ deleted: { id: string; name: string } }> {
    const { flags } = await this.parse(Delete)
    const state = await deleteDeployment(this.engine(flags['state-dir']), {
      deployment: flags.deployment,
      force: flags.force,
    })
    this.log(`Deleted deployment "${state.name}" (${state.id})`)
    return { deleted: { id: state.id, name: state.name } }
  }
}
