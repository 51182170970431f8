import { type RebootResult, rebootMachines } from '@guix-ops/core'
import { BaseCommand } from '../base/command.js'
import { configTimeoutFlag, deploymentFlag, machinesArg } from '../base/flags.js'
import { machineTable } from '../render/machine-results.js'

export default class Reboot extends BaseCommand {
  static override summary = 'Reboot machines and wait until each answers over SSH again, with its pinned host key.'
  static override examples = ['<%= config.bin %> reboot -d shop', '<%= config.bin %> reboot -d shop db']
  static override strict = false
  static override args = { machine: machinesArg('reboot') }
  static override flags = { deployment: deploymentFlag, 'config-timeout': configTimeoutFlag }

  async run(): Promise<RebootResult[]> {
    const { flags, argv } = await this.parse(Reboot)
    const results = await rebootMachines(this.engineWithProgress(flags['state-dir']), {
      deployment: flags.deployment,
      machines: argv as string[],
    })
    this.log(machineTable(results, (r) => `rebooted, ${r.status}`))
    if (results.some((r) => r.error)) process.exitCode = 1
    return results
  }
}
