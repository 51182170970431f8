import { Args, BaseCommand, Flags, table } from '@guix-ops/cli'
import { type ImportGuixDeployResult, importGuixDeploy } from '../import/import.js'

export default class ImportGuixDeploy extends BaseCommand {
  static override summary = 'Write a guix-ops config from a "guix deploy" file.'
  static override description =
    'The deploy file is read with Guile without evaluating it. Each machine record with a managed-host-environment-type environment and a machine-ssh-configuration becomes a "managed" machine with the "guix" system, keeping its host name, port, user, identity, host key, system type and deploy options (build-locally?, authorize?, allow-downgrades?, safety-checks?); fields that cannot be carried over as guix deploy means them (session, build-locally? #f) are listed. Each machine gets a small .scm next to the deploy file that loads it and picks that machine\'s operating-system. Nothing is written if any machine cannot be imported, and no file is overwritten without --force.'
  static override examples = [
    '<%= config.bin %> import-guix-deploy deploy.scm',
    '<%= config.bin %> import-guix-deploy deploy.scm --out fleet.config.ts --name fleet',
  ]
  static override args = { file: Args.string({ description: 'the guix deploy file (.scm)', required: true }) }
  static override flags = {
    out: Flags.string({
      description: 'config file to write [default: guix-ops.config.ts next to FILE]',
      helpValue: 'FILE',
    }),
    name: Flags.string({ description: "the deployment's name [default: FILE's name]", helpValue: 'NAME' }),
    force: Flags.boolean({ description: 'replace files that exist' }),
  }

  async run(): Promise<ImportGuixDeployResult> {
    const { args, flags } = await this.parse(ImportGuixDeploy)
    const result = await importGuixDeploy({
      file: args.file,
      ...(flags.out === undefined ? {} : { out: flags.out }),
      ...(flags.name === undefined ? {} : { name: flags.name }),
      ...(flags.force ? { force: true } : {}),
    })
    this.log(`Wrote ${result.config} (deployment "${result.deployment}"):`)
    this.log(
      table(
        ['MACHINE', 'HOST', 'USER', 'SYSTEM', 'CONFIG'],
        result.machines.map((m) => [m.name, `${m.host}:${m.port}`, m.user, m.system, m.config]),
      ),
    )
    for (const n of result.notMapped) this.log(`Not mapped: ${n.machine}: ${n.field} at ${n.at}: ${n.why}`)
    this.log(`Next: guix-ops create ${result.config}`)
    return result
  }
}
