import { type CheckReport, checkDeployment } from '@guix-ops/core'
import { Flags } from '@oclif/core'
import { BaseCommand } from '../base/command.js'
import { configTimeoutFlag, deploymentFlag } from '../base/flags.js'
import { table } from '../render/table.js'

function uptime(seconds: number | undefined): string {
  if (seconds === undefined) return '-'
  const days = Math.floor(seconds / 86400)
  const hours = Math.floor((seconds % 86400) / 3600)
  const minutes = Math.floor((seconds % 3600) / 60)
  if (days > 0) return `${days}d ${hours}h`
  if (hours > 0) return `${hours}h ${minutes}m`
  return `${minutes}m`
}

function drift(machine: {
  error?: string | undefined
  errorCode?: string | undefined
  drift: unknown[]
  options?: unknown[] | undefined
}): string {
  if (machine.error)
    return machine.errorCode ? `error ${machine.errorCode}: ${machine.error}` : `error: ${machine.error}`
  const items = machine.drift.length + (machine.options?.length ?? 0)
  return items === 0 ? 'none' : `${items} item(s)`
}

export default class Check extends BaseCommand {
  static override summary =
    'Check each machine: platform status, pinned host key, uptime and load, and drift from the last deploy.'
  static override description =
    'Exits 1 unless every machine is up, its host key verified, nothing on it differs from what the last deploy applied, its platform options are those it was made with (those that differ are listed, with how to apply them), and it holds every deployment key as the config gives it (keys missing after a reboot, or stale, are listed).'
  static override examples = ['<%= config.bin %> check -d shop', '<%= config.bin %> check -d shop --include db --json']
  static override flags = {
    deployment: deploymentFlag,
    include: Flags.string({
      description: 'check only this machine (repeatable)',
      multiple: true,
      helpValue: 'MACHINE',
    }),
    on: Flags.string({
      description: 'check only machines with this tag, as @tag (repeatable)',
      multiple: true,
      helpValue: '@TAG',
    }),
    'config-timeout': configTimeoutFlag,
  }

  async run(): Promise<CheckReport> {
    const { flags } = await this.parse(Check)
    const report = await checkDeployment(this.engine(flags['state-dir']), {
      deployment: flags.deployment,
      ...(flags.include ? { include: flags.include } : {}),
      ...(flags.on ? { tags: flags.on } : {}),
    })
    this.log(
      table(
        ['MACHINE', 'STATUS', 'HOST KEY', 'UPTIME', 'LOAD', 'DRIFT'],
        report.machines.map((m) => [
          m.machine,
          m.status,
          m.hostKey,
          uptime(m.uptimeSeconds),
          m.load ? m.load.join(' ') : '-',
          drift(m),
        ]),
      ),
    )
    for (const m of report.machines) {
      if (m.keys?.missing.length)
        this.log(`  ${m.machine}: keys missing: ${m.keys.missing.join(', ')} (run upload-keys)`)
      if (m.keys?.stale.length) this.log(`  ${m.machine}: keys stale: ${m.keys.stale.join(', ')}`)
      for (const o of m.options ?? []) this.log(`  ${m.machine}: ${o.message}`)
      for (const d of m.drift) {
        this.log(
          `  ${m.machine}: ${d.subject}${d.expected !== undefined ? `: expected ${JSON.stringify(d.expected)}, found ${JSON.stringify(d.actual)}` : ''}`,
        )
      }
    }
    if (!report.healthy) process.exitCode = 1
    return report
  }
}
