import { DEFAULT_PARALLEL, type DeploySummary, deployDeployment } from '@guix-ops/core'
import { Flags } from '@oclif/core'
import { BaseCommand } from '../base/command.js'
import { configTimeoutFlag, deploymentFlag } from '../base/flags.js'
import { renderErrorJson } from '../render/errors.js'
import { renderPlan, renderSummary } from '../render/summary.js'

export default class Deploy extends BaseCommand {
  static override summary = "Make the deployment's machines match its config: provision, connect, plan, apply."
  static override description =
    "Machines are deployed in dependency order; machines that do not depend on each other are deployed in parallel. Each machine is recorded in state as soon as it is created. A failed machine's dependents are skipped; with --on-failure abort, nothing more is started. Exits 1 if any machine failed."
  static override examples = [
    '<%= config.bin %> deploy -d shop',
    '<%= config.bin %> deploy -d shop --dry-run',
    '<%= config.bin %> deploy -d shop --include web --include db',
    '<%= config.bin %> deploy -d shop --on @frontend --parallel 4',
    '<%= config.bin %> deploy -d shop --include web --take-over',
  ]
  static override flags = {
    deployment: deploymentFlag,
    include: Flags.string({
      description: 'deploy only this machine (repeatable)',
      multiple: true,
      helpValue: 'MACHINE',
    }),
    exclude: Flags.string({
      description: 'do not deploy this machine (repeatable)',
      multiple: true,
      helpValue: 'MACHINE',
    }),
    on: Flags.string({
      description: 'deploy only machines with this tag, as @tag (repeatable)',
      multiple: true,
      helpValue: '@TAG',
    }),
    parallel: Flags.integer({ description: 'machines worked on at once', default: DEFAULT_PARALLEL, min: 1 }),
    'on-failure': Flags.string({
      options: ['continue', 'abort'] as const,
      default: 'continue',
      description: 'what the other machines do when one fails',
    }),
    'dry-run': Flags.boolean({ description: "plan only: print each machine's changes, change nothing" }),
    'take-over': Flags.boolean({
      description:
        'manage hosts that another deployment (or another machine) already manages; each keeps its own records there',
    }),
    'config-timeout': configTimeoutFlag,
  }

  async run(): Promise<DeploySummary> {
    const { flags } = await this.parse(Deploy)
    const engine = this.engineWithProgress(flags['state-dir'])
    const abort = new AbortController()
    // The first Ctrl-C stops the deploy cleanly (machines half made are removed); a second one ends it now.
    // `on`, not `once`: a SIGINT listener that execa's exit hook finds gone makes it kill the process at once.
    const onSignal = () => {
      if (abort.signal.aborted) process.exit(130)
      abort.abort()
    }
    process.on('SIGINT', onSignal)
    let summary: DeploySummary
    try {
      summary = await deployDeployment(engine, {
        deployment: flags.deployment,
        ...(flags.include ? { include: flags.include } : {}),
        ...(flags.exclude ? { exclude: flags.exclude } : {}),
        ...(flags.on ? { tags: flags.on } : {}),
        parallel: flags.parallel,
        onFailure: flags['on-failure'] === 'abort' ? 'abort' : 'continue',
        dryRun: flags['dry-run'],
        takeOver: flags['take-over'],
        signal: abort.signal,
      })
    } finally {
      process.removeListener('SIGINT', onSignal)
    }
    if (flags['dry-run']) this.log(renderPlan(summary))
    this.log(renderSummary(summary))
    if (summary.failed.length > 0) {
      // The summary is the output; the exit status says that something failed.
      process.exitCode = 1
      if (!this.jsonEnabled()) {
        for (const f of summary.outcomes.filter((o) => o.status === 'failed')) {
          // Its code, and what to do about it, e.g. the command that accepts a host's new key once it is checked.
          process.stderr.write(`${f.error ? renderErrorJson(f.error) : `error: ${f.reason ?? ''}`}\n`)
        }
      }
    }
    return summary
  }
}
