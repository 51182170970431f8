import { type RollbackResult, rollbackDeployment } from '@guix-ops/core'
import { Args, Flags } from '@oclif/core'
import { BaseCommand } from '../base/command.js'
import { configTimeoutFlag, deploymentFlag } from '../base/flags.js'
import { table } from '../render/table.js'

export default class Rollback extends BaseCommand {
  static override summary = 'Return machines to an earlier generation (the one before the current, or --to N).'
  static override description =
    'The system driver applies the earlier generation again: files, packages, users and services go back to what they were. Exits 1 if any machine could not roll back.'
  static override examples = ['<%= config.bin %> rollback -d shop', '<%= config.bin %> rollback -d shop --to 1 db']
  static override strict = false
  static override args = { machine: Args.string({ description: 'machines to roll back [default: all deployed]' }) }
  static override flags = {
    deployment: deploymentFlag,
    to: Flags.integer({ description: 'the generation to return to', min: 1 }),
    'config-timeout': configTimeoutFlag,
  }

  async run(): Promise<RollbackResult[]> {
    const { flags, argv } = await this.parse(Rollback)
    const results = await rollbackDeployment(this.engine(flags['state-dir']), {
      deployment: flags.deployment,
      machines: argv as string[],
      ...(flags.to ? { to: flags.to } : {}),
    })
    this.log(
      table(
        ['MACHINE', 'RESULT'],
        results.map((r) => [r.machine, r.error ? `failed: ${r.error}` : `now at generation ${r.generation?.number}`]),
      ),
    )
    if (results.some((r) => r.error)) process.exitCode = 1
    return results
  }
}
