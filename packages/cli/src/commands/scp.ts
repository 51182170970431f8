import { readFile, writeFile } from 'node:fs/promises'
import { ErrorCode, findDeployment, machineAccess, openSession } from '@guix-ops/core'
import { GuixOpsError } from '@guix-ops/plugin-api'
import { Args, Flags } from '@oclif/core'
import { BaseCommand } from '../base/command.js'
import { configTimeoutFlag, deploymentFlag } from '../base/flags.js'

export default class Scp extends BaseCommand {
  static override summary = 'Copy a file to or from a machine, over SFTP, verified against its pinned host key.'
  static override description =
    'With --to, SOURCE is local and DESTINATION remote (written atomically); with --from, the other way round.'
  static override examples = [
    '<%= config.bin %> scp -d shop --to web ./site.conf /etc/nginx/conf.d/site.conf',
    '<%= config.bin %> scp -d shop --from db /var/log/postgresql/main.log ./main.log',
  ]
  static override args = {
    source: Args.string({ required: true, description: 'file to copy' }),
    destination: Args.string({ required: true, description: 'where to write it' }),
  }
  static override flags = {
    deployment: deploymentFlag,
    to: Flags.string({ description: 'copy a local file to this machine', exclusive: ['from'], helpValue: 'MACHINE' }),
    from: Flags.string({ description: 'copy a file from this machine', exclusive: ['to'], helpValue: 'MACHINE' }),
    mode: Flags.string({ description: 'mode of the remote file written with --to (octal)', default: '0644' }),
    'config-timeout': configTimeoutFlag,
  }

  async run(): Promise<{
    machine: string
    direction: 'to' | 'from'
    source: string
    destination: string
    bytes: number
  }> {
    const { args, flags } = await this.parse(Scp)
    const machine = flags.to ?? flags.from
    if (!machine) throw new GuixOpsError(ErrorCode.Usage, 'say which way: --to MACHINE or --from MACHINE')
    if (!/^[0-7]{3,4}$/.test(flags.mode))
      throw new GuixOpsError(ErrorCode.Usage, `--mode: expected an octal mode like 0644, got "${flags.mode}"`)
    const engine = this.engine(flags['state-dir'])
    const state = await findDeployment(engine, flags.deployment)
    const [access] = await machineAccess(engine, state, [machine])
    const session = await openSession(state, access!)
    try {
      let bytes: number
      if (flags.to) {
        const data = await readFile(args.source)
        await session.upload(args.destination, data, { mode: Number.parseInt(flags.mode, 8) })
        bytes = data.length
      } else {
        const data = await session.download(args.source)
        await writeFile(args.destination, data, { mode: 0o600 })
        bytes = data.length
      }
      const direction = flags.to ? 'to' : 'from'
      this.log(`Copied ${bytes} bytes ${direction} ${machine}: ${args.source} -> ${args.destination}`)
      return { machine, direction, source: args.source, destination: args.destination, bytes }
    } finally {
      session.close()
    }
  }
}
