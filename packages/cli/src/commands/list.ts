import { type DeploymentListItem, listDeployments } from '@guix-ops/core'
import { BaseCommand } from '../base/command.js'
import { renderList } from '../render/deployment.js'

export default class List extends BaseCommand {
  static override summary = 'List the deployments recorded in the state dir.'
  static override examples = ['<%= config.bin %> list', '<%= config.bin %> list --json']

  async run(): Promise<DeploymentListItem[]> {
    const { flags } = await this.parse(List)
    const items = await listDeployments(this.engine(flags['state-dir']))
    this.log(renderList(items))
    return items
  }
}
