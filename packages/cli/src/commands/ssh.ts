import { spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { findDeployment, type MachineAccess, machineAccess, openSession } from '@guix-ops/core'
import { GuixOpsError } from '@guix-ops/plugin-api'
import { Args } from '@oclif/core'
import { BaseCommand } from '../base/command.js'
import { configTimeoutFlag, deploymentFlag } from '../base/flags.js'
import { splitAtDoubleDash } from '../base/passthrough.js'

/** OpenSSH's known_hosts line for a pinned key: `[host]:port type base64` off port 22. */
function knownHostsLine(access: MachineAccess): string {
  const host = access.endpoint.port === 22 ? access.endpoint.host : `[${access.endpoint.host}]:${access.endpoint.port}`
  return `${host} ${access.hostKey}\n`
}

export default class Ssh extends BaseCommand {
  static override summary = 'Log in to a machine, or run one command on it; its exit status is passed through.'
  static override description =
    'Without a command, starts OpenSSH\'s ssh with the pinned host key as its only known host (StrictHostKeyChecking=yes). With one (after --), runs it as an argument list: each word is quoted for the remote shell, so use `-- sh -c "..."` for pipes and redirections.'
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
        throw new GuixOpsError('E_USAGE', 'an interactive login has no JSON form', {
          suggestion: 'give a command after --',
        })
      await this.interactive(state.name, access)
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

  private async interactive(deployment: string, access: MachineAccess): Promise<void> {
    if (!access.hostKey) {
      throw new GuixOpsError('E_SSH_NO_HOST_KEY', `machine "${access.machine}" has no pinned host key`, {
        suggestion: `run "guix-ops deploy -d ${deployment} --include ${access.machine}" to pin it`,
      })
    }
    const dir = await mkdtemp(path.join(tmpdir(), 'guix-ops-ssh-'))
    try {
      const knownHosts = path.join(dir, 'known_hosts')
      await writeFile(knownHosts, knownHostsLine(access), { mode: 0o600 })
      const { endpoint } = access
      const sshArgs = [
        '-o',
        'StrictHostKeyChecking=yes',
        '-o',
        `UserKnownHostsFile=${knownHosts}`,
        '-o',
        'GlobalKnownHostsFile=/dev/null',
        '-p',
        String(endpoint.port),
        '-l',
        endpoint.user,
        ...(endpoint.privateKeyPath ? ['-i', endpoint.privateKeyPath, '-o', 'IdentitiesOnly=yes'] : []),
        endpoint.host,
      ]
      const code = await new Promise<number>((resolve, reject) => {
        const child = spawn('ssh', sshArgs, { stdio: 'inherit' })
        child.on('error', reject)
        child.on('exit', (status) => resolve(status ?? 255))
      })
      process.exitCode = code
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  }
}
