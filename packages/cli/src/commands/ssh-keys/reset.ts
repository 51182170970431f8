import { fingerprint, resetHostKey } from '@guix-ops/core'
import { Args, Flags } from '@oclif/core'
import { BaseCommand } from '../../base/command.js'
import { deploymentFlag } from '../../base/flags.js'

export default class SshKeysReset extends BaseCommand {
  static override summary = "Forget a machine's pinned SSH host key; the next contact pins the key it presents."
  static override description =
    "Use it when a host was reinstalled and guix-ops stopped with E_SSH_HOST_KEY_CHANGED. Check the new fingerprint out of band first: until the next contact, nothing vouches for the host. With --jump, forgets the key of the jump host the machine is reached through instead; the machine's own key stays pinned."
  static override examples = [
    '<%= config.bin %> ssh-keys reset -d shop db',
    '<%= config.bin %> ssh-keys reset -d shop db --jump',
  ]
  static override args = { machine: Args.string({ description: 'machine name', required: true }) }
  static override flags = {
    deployment: deploymentFlag,
    jump: Flags.boolean({ description: "forget the key of the machine's jump host, not the machine's own" }),
  }

  async run(): Promise<{ machine: string; previous?: string }> {
    const { args, flags } = await this.parse(SshKeysReset)
    const result = await resetHostKey(this.engine(flags['state-dir']), {
      deployment: flags.deployment,
      machine: args.machine,
      jump: flags.jump,
    })
    const whose = flags.jump ? `the jump host of ${result.machine}` : result.machine
    this.log(
      result.previous
        ? `Forgot the host key of ${whose} (${fingerprint(result.previous)}); the next contact pins the key it presents.`
        : `${whose} had no pinned host key; the next contact pins the key it presents.`,
    )
    return result
  }
}
