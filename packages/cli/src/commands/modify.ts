import { type DeploymentState, modifyDeployment } from '@guix-ops/core'
import { Flags } from '@oclif/core'
import { BaseCommand } from '../base/command.js'
import { configTimeoutFlag, deploymentFlag } from '../base/flags.js'
import { renderSaved } from '../render/deployment.js'

export default class Modify extends BaseCommand {
  static override summary = 'Point a deployment at a new config file, or re-read its config.'
  static override description =
    'The new config is validated fully before anything is recorded; on any error the state is left as it was. Machines removed from the config stay recorded while they still exist.'
  static override examples = [
    '<%= config.bin %> modify -d shop --config shop-v2.config.ts',
    '<%= config.bin %> modify -d shop',
  ]
  static override flags = {
    deployment: deploymentFlag,
    config: Flags.string({ char: 'c', description: 'new config file [default: the one recorded]', helpValue: 'FILE' }),
    'config-timeout': configTimeoutFlag,
  }

  async run(): Promise<DeploymentState> {
    const { flags } = await this.parse(Modify)
    const state = await modifyDeployment(this.engine(flags['state-dir']), {
      deployment: flags.deployment,
      ...(flags.config === undefined ? {} : { config: flags.config }),
    })
    this.log(renderSaved('Modified', state))
    return state
  }
}
