import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import {
  type DeploymentState,
  ErrorCode,
  findDeployment,
  type MachineAccess,
  machineAccess,
  openSession,
  requirePinnedKeys,
} from '@guix-ops/core'
import { GuixOpsError } from '@guix-ops/plugin-api'
import { Args } from '@oclif/core'
import { BaseCommand } from '../base/command.js'
import { configTimeoutFlag, deploymentFlag } from '../base/flags.js'
import { splitAtDoubleDash } from '../base/passthrough.js'
import { knownHosts, opensshArgs } from '../openssh.js'

/** OpenSSH's own failure (255): if a pinned key no longer matches, say so in guix-ops' words. */
async function explainFailure(state: DeploymentState, access: MachineAccess): Promise<void> {
  try {
    const probe = await openSession(state, access)
    probe.close()
  } catch (error) {
    if ((error as { code?: string }).code === ErrorCode.SshHostKeyChanged) throw error
  }
}

export default class Ssh extends BaseCommand {
  static override summary = 'Log in to a machine, or run one command on it; its exit status is passed through.'
  static override description =
    'Without a command, starts OpenSSH\'s ssh with the pinned host keys as its only known hosts (StrictHostKeyChecking=yes); a machine behind a jump host is reached through it, held to its pinned key too. With one (after --), runs it as an argument list: each word is quoted for the remote shell, so use `-- sh -c "..."` for pipes and redirections.'
  static override examples = [
    '<%= config.bin %> ssh -d shop db',
    '<%= config.bin %> ssh -d shop db -- systemctl status nginx',
  ]
  static override args = { machine: Args.string({ description: 'machine name', required: true }) }
  static override flags = { deployment: deploymentFlag, 'config-timeout': configTimeoutFlag }

  async run(): Promise<{ machine: string; code: number | null; stdout: string; stderr: string } | undefined> {
    const { own, command } = splitAtDoubleDash(this.argv)
    const { args, flags } = await this.parse(Ssh, own)
    const engine = this.engine(flags['state-dir'])
    const state = await findDeployment(engine, flags.deployment)
    const [access] = await machineAccess(engine, state, [args.machine])
    if (!access) return undefined
    if (command.length === 0) {
      if (this.jsonEnabled())
        throw new GuixOpsError(ErrorCode.Usage, 'an interactive login has no JSON form', {
          suggestion: 'give a command after --',
        })
      const code = await this.interactive(state.name, access)
      if (code === 255) await explainFailure(state, access)
      process.exitCode = code
      return undefined
    }
    const session = await openSession(state, access)
    try {
      const json = this.jsonEnabled()
      const result = await session.exec(command, {
        sudo: false,
        ...(json
          ? {}
          : { onStdout: (c: string) => process.stdout.write(c), onStderr: (c: string) => process.stderr.write(c) }),
      })
      process.exitCode = result.code ?? 255
      return { machine: access.machine, ...result }
    } finally {
      session.close()
    }
  }

  /** Runs OpenSSH's ssh, trusting only the pinned keys; resolves to its exit status. */
  private async interactive(deployment: string, access: MachineAccess): Promise<number> {
    requirePinnedKeys(deployment, access)
    const dir = await mkdtemp(path.join(tmpdir(), 'guix-ops-ssh-'))
    try {
      const knownHostsFile = path.join(dir, 'known_hosts')
      await writeFile(knownHostsFile, knownHosts(access), { mode: 0o600 })
      // Loaded here, not at the top: only a login runs a program.
      const { execa } = await import('execa')
      // The terminal is ssh's; signals reach it from the terminal, as for any foreground program.
      const result = await execa('ssh', opensshArgs(access, knownHostsFile), {
        stdio: 'inherit',
        reject: false,
        cleanup: false,
      })
      const notStarted = result.failed && result.exitCode === undefined && result.signal === undefined
      if (notStarted) throw result.cause ?? result
      return result.exitCode ?? 255
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  }
}
