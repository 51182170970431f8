import { type DeploymentState, importDeployment } from '@guix-ops/core'
import { Args, Flags } from '@oclif/core'
import { BaseCommand } from '../base/command.js'
import { renderSaved } from '../render/deployment.js'

export default class Import extends BaseCommand {
  static override summary = 'Record a deployment from a file written by "guix-ops export".'
  static override description =
    'The file is checked like a state file (and migrated if older). An existing deployment with the same id or name is never replaced: import under another name with --name (it then gets a new id).'
  static override examples = [
    '<%= config.bin %> import shop.json',
    '<%= config.bin %> import shop.json --name shop-copy',
  ]
  static override args = { file: Args.string({ description: 'exported JSON file', required: true }) }
  static override flags = {
    name: Flags.string({ description: 'record it under this name, with a new id', helpValue: 'NAME' }),
  }

  async run(): Promise<DeploymentState> {
    const { args, flags } = await this.parse(Import)
    const state = await importDeployment(this.engine(flags['state-dir']), {
      file: args.file,
      ...(flags.name === undefined ? {} : { name: flags.name }),
    })
    this.log(renderSaved('Imported', state))
    return state
  }
}
