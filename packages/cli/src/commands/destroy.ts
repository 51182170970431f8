import { type DestroyResult, type DestroySummary, destroyMachines } from '@guix-ops/core'
import { Flags } from '@oclif/core'
import { BaseCommand } from '../base/command.js'
import { confirmOnTerminal } from '../base/confirm.js'
import { configTimeoutFlag, deploymentFlag, machinesArg } from '../base/flags.js'
import { machineTable } from '../render/machine-results.js'

const SAID: Record<DestroyResult, string> = {
  destroyed: 'destroyed',
  forgotten: 'forgotten (left as it is)',
  'not-created': 'nothing to destroy',
  refused: 'refused',
  failed: 'failed',
}

export default class Destroy extends BaseCommand {
  static override summary = 'Destroy machines through their platform, dependents first, and record them as gone.'
  static override description =
    'Asks for confirmation on a terminal; --yes confirms (and is required when stdin is not a terminal). A machine whose destroy fails keeps its state; the others go on, and the exit status is 1. Machines of platforms that do not own them (managed hosts) are not destroyed: --forget forgets them, leaving the hosts as they are. Afterwards, "guix-ops delete" forgets the deployment without --force.'
  static override examples = [
    '<%= config.bin %> destroy -d shop',
    '<%= config.bin %> destroy -d shop web --yes',
    '<%= config.bin %> destroy -d shop --yes --forget',
  ]
  static override strict = false
  static override args = { machine: machinesArg('destroy') }
  static override flags = {
    deployment: deploymentFlag,
    yes: Flags.boolean({ char: 'y', description: 'do not ask for confirmation' }),
    forget: Flags.boolean({
      description: 'forget machines their platform cannot destroy (managed hosts stay as they are)',
    }),
    'config-timeout': configTimeoutFlag,
  }

  async run(): Promise<DestroySummary> {
    const { flags, argv } = await this.parse(Destroy)
    const summary = await destroyMachines(this.engineWithProgress(flags['state-dir']), {
      deployment: flags.deployment,
      machines: argv as string[],
      forget: flags.forget,
      confirm: ({ deployment, machines }) =>
        confirmOnTerminal(`Destroy ${machines.join(', ')} of deployment "${deployment}"? This cannot be undone.`, {
          yes: flags.yes,
          command: 'destroy',
        }),
    })
    this.log(
      summary.outcomes.length === 0
        ? `deployment "${summary.deployment.name}" has no machines to destroy`
        : machineTable(
            summary.outcomes,
            (o) => SAID[o.result],
            (o) => SAID[o.result],
          ),
    )
    if (summary.outcomes.some((o) => o.error)) process.exitCode = 1
    return summary
  }
}
