/**
 * The Guix System driver: deploys an `operating-system` config the way
 * `guix deploy` does. The config (and what it loads) is read with Guile
 * here, uploaded to the target and checked there against the host's
 * devices. Like `guix deploy`, the system is built here when this machine
 * has Guix (or `buildLocally` says so), copied and switched to; otherwise
 * the target applies it with `guix system reconfigure` (pinned with `guix
 * time-machine` when channels are given). Generations are Guix's own.
 */
import {
  API_VERSION,
  type Drift,
  defineSystem,
  GuixOpsError,
  type SystemContext,
  type SystemDefinition,
} from '@guix-ops/plugin-api'
import { changeOrRollBack, reconfigureStep } from './activate.js'
import { buildHereAndSwitch } from './build-here.js'
import { chooseBuildPath, describeBuildPath, requireSigningKey } from './build-path.js'
import { GuixError } from './codes.js'
import { reconfigure, safetyRepl, upgradeRepl } from './commands.js'
import { arm, disarm } from './confirm.js'
import { type DeployedRecord, keepPreviousDeployed, readDeployed, runningSystem, writeDeployed } from './deployed.js'
import { listGenerations } from './generations.js'
import { layoutFor } from './layout.js'
import { localGuix } from './local-build.js'
import { type GuixOptions, guixOptions } from './options.js'
import { must, tail } from './remote.js'
import { checkDevices, SAFETY_SCRIPT } from './safety-check.js'
import { failedServices } from './services.js'
import { switchTo } from './switch.js'
import { checkTarget } from './target.js'
import { prepareUpload, sendUpload } from './upload.js'

function generationError(message: string): GuixOpsError {
  return new GuixOpsError(GuixError.Generation, `guix: ${message}`, {
    suggestion: 'see "guix-ops list-generations" for the ones that exist',
  })
}

/** Why a plan deploys the system: nothing deployed yet, a changed config, or another system running. */
function whyDeploy(deployed: DeployedRecord | undefined, hash: string, running: string | undefined): string {
  if (!deployed) return 'first deploy by guix-ops'
  if (deployed.hash !== hash) return 'the config or a file it loads changed'
  return `the running system is ${running}, not the one deployed`
}

/** Everything local first (syntax, files, a local guix and key when building here), then the target's kind. */
async function prepare(ctx: SystemContext, options: GuixOptions) {
  const upload = await prepareUpload(options, ctx.configDir ?? process.cwd())
  const build = chooseBuildPath(options)
  if (build.local) localGuix()
  if (build.local && options.authorize) requireSigningKey()
  await checkTarget(ctx, options.system)
  return { upload, layout: layoutFor(ctx), build }
}

const guix: SystemDefinition<GuixOptions> = defineSystem<GuixOptions>({
  name: 'guix',
  apiVersion: API_VERSION,
  description: 'Guix System: an operating-system config, reconfigured like guix deploy',
  options: guixOptions,

  async validate(ctx, options) {
    // A path computed from a machine not deployed yet cannot be read now; the deploy reads it.
    if (![options.config, options.channels, ...options.loadPath].some((p) => p !== undefined && ctx.isPending(p)))
      await prepareUpload(options, ctx.configDir)
    return { summary: describeBuildPath(chooseBuildPath(options)) }
  },

  async plan(ctx, options) {
    const { upload, layout, build } = await prepare(ctx, options)
    const deployed = await readDeployed(ctx, layout)
    const running = await runningSystem(ctx)
    if (deployed?.hash === upload.hash && deployed.storePath === running) return { changes: [] }
    const detail = whyDeploy(deployed, upload.hash, running)
    return {
      changes: [
        {
          action: deployed ? 'update' : 'create',
          subject: `system ${options.config}`,
          detail: `${detail}; ${describeBuildPath(build)}`,
        },
      ],
      data: { hash: upload.hash },
    }
  },

  async apply(ctx, options) {
    const { upload, layout, build } = await prepare(ctx, options)
    ctx.progress.report('uploading the config')
    await sendUpload(ctx, layout, upload)
    const config = `${layout.dir}/${upload.config}`
    if (options.safetyChecks) {
      ctx.progress.report('safety checks: evaluating the config on the host')
      await ctx.host.upload(layout.safetyScript, SAFETY_SCRIPT, { mode: 0o600 })
      await checkDevices(ctx, safetyRepl(layout, options, config))
    }
    const previous = (await listGenerations(ctx)).find((g) => g.current)
    const change = build.local
      ? () =>
          buildHereAndSwitch(ctx, options, upload, previous?.number ?? 0, {
            script: layout.upgradeScript,
            repl: upgradeRepl(layout, options, config),
          })
      : reconfigureStep(ctx, reconfigure(layout, options, config))
    const { current, storePath } = await changeOrRollBack(ctx, change, previous)
    const deployedAt = new Date().toISOString()
    await keepPreviousDeployed(ctx, layout)
    await writeDeployed(ctx, layout, { storePath, hash: upload.hash, generation: current.number, deployedAt })
    if (previous && previous.number !== current.number) await arm(ctx, layout, options.confirmTimeout, previous)
    return {
      ...current,
      description: `${options.config}${previous ? ` (from generation ${previous.number})` : ''}`,
      data: { storePath },
    }
  },

  async confirm(ctx) {
    await disarm(ctx, layoutFor(ctx))
  },

  async check(ctx) {
    const layout = layoutFor(ctx)
    const deployed = await readDeployed(ctx, layout)
    if (!deployed) return [{ subject: 'system', expected: 'deployed by guix-ops', actual: 'never deployed' }]
    const drift: Drift[] = []
    const running = await runningSystem(ctx)
    if (running !== deployed.storePath)
      drift.push({ subject: 'system /run/current-system', expected: deployed.storePath, actual: running || 'missing' })
    const herd = await ctx.host.exec(['herd', 'status'])
    if (herd.code !== 0) drift.push({ subject: 'shepherd', expected: 'herd status answers', actual: tail(herd) })
    for (const service of failedServices(herd.stdout))
      drift.push({ subject: `service ${service}`, expected: 'running', actual: 'failed to start' })
    return drift
  },

  generations: listGenerations,

  async rollback(ctx, to) {
    const generations = await listGenerations(ctx)
    const current = generations.find((g) => g.current)
    if (!current) throw generationError('the host has no current system generation')
    const target = to ?? generations.filter((g) => g.number < current.number).at(-1)?.number
    if (target === undefined)
      throw generationError(`generation ${current.number} is the first; there is none before it`)
    const wanted = generations.find((g) => g.number === target)
    if (!wanted) throw generationError(`generation ${target} does not exist`)
    const storePath = await switchTo(
      ctx,
      wanted,
      to === undefined ? 'roll-back' : 'switch-generation',
      GuixError.Rollback,
    )
    const layout = layoutFor(ctx)
    const deployed = await readDeployed(ctx, layout)
    // The rolled-back system is now the one expected; the next deploy reconfigures again.
    if (deployed) await writeDeployed(ctx, layout, { ...deployed, storePath, generation: target, hash: '' })
    const now = (await listGenerations(ctx)).find((g) => g.number === target)
    return { ...(now ?? { number: target, createdAt: new Date().toISOString() }), current: true }
  },

  async deleteGeneration(ctx, number) {
    const generations = await listGenerations(ctx)
    const found = generations.find((g) => g.number === number)
    if (!found) throw generationError(`generation ${number} does not exist`)
    if (found.current) throw generationError(`generation ${number} is the current one; roll back or deploy first`)
    await must(ctx, ['guix', 'system', 'delete-generations', String(number)], `deleting generation ${number}`)
  },
})

export default guix
export {
  type ImportGuixDeployOptions,
  type ImportGuixDeployResult,
  importGuixDeploy,
} from './import/import.js'
export { type GuixOptions, guixOptions }
