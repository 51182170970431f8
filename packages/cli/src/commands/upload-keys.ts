import { type KeyUploadResult, uploadKeys } from '@guix-ops/core'
import { BaseCommand } from '../base/command.js'
import { configTimeoutFlag, deploymentFlag, machinesArg } from '../base/flags.js'
import { machineTable } from '../render/machine-results.js'

function describe(result: KeyUploadResult): string {
  const parts = [
    result.sent?.length ? `sent ${result.sent.join(', ')}` : '',
    result.removed?.length ? `removed ${result.removed.join(', ')}` : '',
    result.current?.length ? `current ${result.current.join(', ')}` : '',
  ].filter(Boolean)
  return parts.length > 0 ? parts.join('; ') : 'no keys'
}

export default class UploadKeys extends BaseCommand {
  static override summary =
    'Send machines their deployment keys again: after a reboot emptied /run/keys, or to rotate one.'
  static override description =
    'Reads every key from its source first (text, file or command), then sends each machine only the keys it lacks or holds another value, owner or mode of, and removes keys that left the config. Values are never printed or recorded; the state keeps a salted hash.'
  static override examples = [
    '<%= config.bin %> upload-keys -d shop',
    '<%= config.bin %> upload-keys -d shop db --json',
  ]
  static override strict = false
  static override args = { machine: machinesArg('send keys to') }
  static override flags = { deployment: deploymentFlag, 'config-timeout': configTimeoutFlag }

  async run(): Promise<KeyUploadResult[]> {
    const { flags, argv } = await this.parse(UploadKeys)
    const results = await uploadKeys(this.engineWithProgress(flags['state-dir']), {
      deployment: flags.deployment,
      machines: argv as string[],
    })
    this.log(machineTable(results, describe))
    if (results.some((r) => r.error)) process.exitCode = 1
    return results
  }
}
