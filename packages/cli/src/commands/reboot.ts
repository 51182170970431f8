import { type RebootResult, rebootMachines } from '@guix-ops/core'
import { Args } from '@oclif/core'
import { BaseCommand } from '../base/command.js'
import { deploymentFlag } from '../base/flags.js'
import { table } from '../render/table.js'

export default class Reboot extends BaseCommand {
  static override summary = 'Reboot machines and wait until each answers over SSH again, with its pinned host key.'
  static override examples = ['<%= config.bin %> reboot -d shop', '<%= config.bin %> reboot -d shop db']
  static override strict = false
  static override args = { machine: Args.string({ description: 'machines to reboot [default: all deployed]' }) }
  static override flags = { deployment: deploymentFlag }

  async run(): Promise<RebootResult[]> {
    const { flags, argv } = await this.parse(Reboot)
    const results = await rebootMachines(this.engine(flags['state-dir']), {
      deployment: flags.deployment,
      machines: argv as string[],
    })
    this.log(
      table(
        ['MACHINE', 'RESULT'],
        results.map((r) => [r.machine, r.error ? `failed: ${r.error}` : `rebooted, ${r.status}`]),
      ),
    )
    if (results.some((r) => r.error)) process.exitCode = 1
    return results
  }
}
