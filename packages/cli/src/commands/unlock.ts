import { unlockDeployment } from '@guix-ops/core'
import { BaseCommand } from '../base/command.js'
import { deploymentFlag } from '../base/flags.js'
import { describeLock } from '../render/deployment.js'

export default class Unlock extends BaseCommand {
  static override summary = "Remove a deployment's lock by hand, when the process that held it is gone."
  static override description =
    'A lock left by a dead process on this host is taken over automatically, with a warning. A lock held from another host, or by a live process, is only removed by this command: make sure its holder is really gone.'
  static override examples = ['<%= config.bin %> unlock -d shop']
  static override flags = { deployment: deploymentFlag }

  async run(): Promise<{ name: string; lock: { pid: number; host: string; command: string; startedAt: string } }> {
    const { flags } = await this.parse(Unlock)
    const result = await unlockDeployment(this.engine(flags['state-dir']), flags.deployment)
    this.log(`Unlocked deployment "${result.name}" (was ${describeLock(result.lock)})`)
    return result
  }
}
