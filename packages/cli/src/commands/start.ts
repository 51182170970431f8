import { type PowerResult, startMachines } from '@guix-ops/core'
import { Flags } from '@oclif/core'
import { BaseCommand } from '../base/command.js'
import { configTimeoutFlag, deploymentFlag, machinesArg } from '../base/flags.js'
import { machineTable } from '../render/machine-results.js'

export default class Start extends BaseCommand {
  static override summary = 'Start stopped machines and wait until each is up; machines already up are left alone.'
  static override description =
    'Exits 1 if any machine could not be started, or its platform cannot start machines (a managed host).'
  static override examples = ['<%= config.bin %> start -d shop', '<%= config.bin %> start -d shop db --timeout 600']
  static override strict = false
  static override args = { machine: machinesArg('start') }
  static override flags = {
    deployment: deploymentFlag,
    timeout: Flags.integer({ description: 'seconds to wait for each machine to be up', default: 300, min: 1 }),
    'config-timeout': configTimeoutFlag,
  }

  async run(): Promise<PowerResult[]> {
    const { flags, argv } = await this.parse(Start)
    const results = await startMachines(this.engineWithProgress(flags['state-dir']), {
      deployment: flags.deployment,
      machines: argv as string[],
      timeoutSeconds: flags.timeout,
    })
    this.log(machineTable(results, (r) => (r.action === 'already-up' ? 'already up' : `started, ${r.status}`)))
    if (results.some((r) => r.error)) process.exitCode = 1
    return results
  }
}
