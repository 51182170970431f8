import { createDeployment, type DeploymentState } from '@guix-ops/core'
import { Args, Flags } from '@oclif/core'
import { BaseCommand } from '../base/command.js'
import { configTimeoutFlag } from '../base/flags.js'
import { renderSaved } from '../render/deployment.js'

export default class Create extends BaseCommand {
  static override summary = 'Register a deployment from a config file and print its id.'
  static override description =
    'Loads and fully validates the config (shape, machine graph, every platform and system option), then records the deployment under a new unique id. Nothing is provisioned.'
  static override examples = [
    '<%= config.bin %> create examples/quickstart/guix-ops.config.ts',
    '<%= config.bin %> create fleet.config.ts -d staging',
  ]
  static override args = {
    config: Args.string({ description: 'config file [default: searched from the current directory upward]' }),
  }
  static override flags = {
    deployment: Flags.string({
      char: 'd',
      description: 'which deployment of the config, when it defines several',
      helpValue: 'NAME',
    }),
    'config-timeout': configTimeoutFlag,
  }

  async run(): Promise<DeploymentState> {
    const { args, flags } = await this.parse(Create)
    const state = await createDeployment(this.engine(flags['state-dir']), {
      ...(args.config === undefined ? {} : { config: args.config }),
      ...(flags.deployment === undefined ? {} : { name: flags.deployment }),
    })
    this.log(renderSaved('Created', state))
    return state
  }
}
