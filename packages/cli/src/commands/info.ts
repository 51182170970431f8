import { type DeploymentInfo, deploymentInfo } from '@guix-ops/core'
import { BaseCommand } from '../base/command.js'
import { configTimeoutFlag, deploymentFlag } from '../base/flags.js'
import { renderInfo } from '../render/deployment.js'

export default class Info extends BaseCommand {
  static override summary = 'Show a deployment: its id, config, lock, machines, their dependencies and deploy order.'
  static override examples = [
    '<%= config.bin %> info -d quickstart',
    'GUIX_OPS_DEPLOYMENT=quickstart <%= config.bin %> info --json',
  ]
  static override flags = { deployment: deploymentFlag, 'config-timeout': configTimeoutFlag }

  async run(): Promise<DeploymentInfo> {
    const { flags } = await this.parse(Info)
    const info = await deploymentInfo(this.engine(flags['state-dir']), flags.deployment)
    this.log(renderInfo(info))
    return info
  }
}
