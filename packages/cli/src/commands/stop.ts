import { type PowerResult, stopMachines } from '@guix-ops/core'
import { BaseCommand } from '../base/command.js'
import { configTimeoutFlag, deploymentFlag, machinesArg } from '../base/flags.js'
import { machineTable } from '../render/machine-results.js'

export default class Stop extends BaseCommand {
  static override summary = 'Stop machines through their platform; they keep their disks and can be started again.'
  static override description =
    'Exits 1 if any machine could not be stopped, or its platform cannot stop machines (a managed host).'
  static override examples = ['<%= config.bin %> stop -d shop', '<%= config.bin %> stop -d shop web']
  static override strict = false
  static override args = { machine: machinesArg('stop') }
  static override flags = { deployment: deploymentFlag, 'config-timeout': configTimeoutFlag }

  async run(): Promise<PowerResult[]> {
    const { flags, argv } = await this.parse(Stop)
    const results = await stopMachines(this.engineWithProgress(flags['state-dir']), {
      deployment: flags.deployment,
      machines: argv as string[],
    })
    this.log(
      machineTable(results, (r) => (r.action === 'already-stopped' ? 'already stopped' : `stopped, ${r.status}`)),
    )
    if (results.some((r) => r.error)) process.exitCode = 1
    return results
  }
}
