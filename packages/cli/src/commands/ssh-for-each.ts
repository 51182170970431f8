import { ErrorCode, findDeployment, machineAccess, openSession } from '@guix-ops/core'
import { GuixOpsError, type LineSplitter, lineSplitter } from '@guix-ops/plugin-api'
import { Flags } from '@oclif/core'
import { BaseCommand } from '../base/command.js'
import { configTimeoutFlag, deploymentFlag } from '../base/flags.js'
import { splitAtDoubleDash } from '../base/passthrough.js'
import { table } from '../render/table.js'

interface Ran {
  machine: string
  code: number | null
  stdout: string
  stderr: string
  error?: string
}

/** Writes complete lines as they come, each prefixed with the machine's name. */
const prefixed = (machine: string, out: NodeJS.WriteStream): LineSplitter =>
  lineSplitter((line) => out.write(`${machine}| ${line}\n`))

export default class SshForEach extends BaseCommand {
  static override summary =
    'Run one command on every deployed machine, output prefixed by machine, then a summary of exit codes.'
  static override examples = [
    '<%= config.bin %> ssh-for-each -d shop -- uptime',
    '<%= config.bin %> ssh-for-each -d shop -p --include web1 --include web2 -- systemctl restart nginx',
  ]
  static override flags = {
    deployment: deploymentFlag,
    parallel: Flags.boolean({ char: 'p', description: 'run on all machines at once' }),
    include: Flags.string({ description: 'only this machine (repeatable)', multiple: true, helpValue: 'MACHINE' }),
    'config-timeout': configTimeoutFlag,
  }

  async run(): Promise<Ran[]> {
    const { own, command } = splitAtDoubleDash(this.argv)
    const { flags } = await this.parse(SshForEach, own)
    if (command.length === 0)
      throw new GuixOpsError(ErrorCode.Usage, 'no command given', {
        suggestion: 'put it after --: ssh-for-each -d NAME -- uptime',
      })
    const engine = this.engine(flags['state-dir'])
    const state = await findDeployment(engine, flags.deployment)
    const targets = await machineAccess(engine, state, flags.include ?? [])
    const json = this.jsonEnabled()
    const runOne = async (access: (typeof targets)[number]): Promise<Ran> => {
      const stdout = json ? undefined : prefixed(access.machine, process.stdout)
      const stderr = json ? undefined : prefixed(access.machine, process.stderr)
      try {
        const session = await openSession(state, access)
        try {
          const result = await session.exec(command, {
            sudo: false,
            ...(stdout ? { onStdout: (chunk: string) => stdout.push(chunk) } : {}),
            ...(stderr ? { onStderr: (chunk: string) => stderr.push(chunk) } : {}),
          })
          // A last line without a newline is still a line.
          stdout?.end()
          stderr?.end()
          return { machine: access.machine, ...result }
        } finally {
          session.close()
        }
      } catch (error) {
        return { machine: access.machine, code: null, stdout: '', stderr: '', error: (error as Error).message }
      }
    }
    const results: Ran[] = []
    if (flags.parallel) results.push(...(await Promise.all(targets.map(runOne))))
    else for (const access of targets) results.push(await runOne(access))
    this.log(
      `\n${table(
        ['MACHINE', 'EXIT'],
        results.map((r) => [r.machine, r.error ? `error: ${r.error}` : String(r.code ?? 'signal')]),
      )}`,
    )
    if (results.some((r) => r.code !== 0)) process.exitCode = 1
    return results
  }
}
