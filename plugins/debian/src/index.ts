/**
 * The declarative Debian system driver: packages, users, groups, files,
 * directories, services and commands, applied over SSH. It keeps what it
 * manages and every generation on the target, in a directory of each
 * deployment's machine (/var/lib/guix-ops/<deployment-id>/<machine>), removes
 * only what it created, and rolls back by applying an earlier generation.
 */
import { createHash } from 'node:crypto'
import {
  API_VERSION,
  defineSystem,
  type Generation,
  GuixOpsError,
  type SystemContext,
  type SystemDefinition,
} from '@guix-ops/plugin-api'
import type { Action } from './actions.js'
import { runAction } from './apply.js'
import { readTaken } from './backups.js'
import { DebianError } from './codes.js'
import { desiredFrom } from './desired.js'
import { driftOf, sharedFiles } from './drift.js'
import { readFacts } from './facts.js'
import {
  currentGeneration,
  currentNumber,
  deleteGenerationFile,
  listNumbers,
  readGeneration,
  setCurrent,
  writeGeneration,
} from './generations.js'
import { type Layout, layoutOf } from './layout.js'
import { type Desired, EMPTY_MANAGED, type Facts, type GenerationRecord, type Managed } from './model.js'
import { type DebianOptions, debianOptions } from './options.js'
import { adoptLegacyRecords, otherOwners, refuseSharedHost } from './owners.js'
import { expandUsers, planSystem } from './plan.js'
import { preflight } from './preflight.js'
import { arm, disarm, snapshot, touchedFiles } from './safety.js'

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')

/** What `plan` hands to `apply`. */
interface PlanData {
  desired: Desired
  actions: Action[]
  managed: Managed
  /** Whether PID 1 of the host is systemd. */
  systemd: boolean
}

/** This machine's records on the host; those of an earlier version's single layout are moved there first. */
async function records(ctx: SystemContext): Promise<Layout> {
  const layout = layoutOf({ deployment: ctx.deployment, machine: ctx.machine })
  if (await adoptLegacyRecords(ctx.host, layout))
    ctx.logger.warn(`moved the host's records from /var/lib/guix-ops into ${layout.dir}`)
  return layout
}

/** The host's facts, with the files its own marks say guix-ops took over. */
async function factsFor(ctx: SystemContext, layout: Layout, desired: Desired, managed: Managed): Promise<Facts> {
  const facts = await readFacts(ctx.host, desired, managed)
  const paths = [...new Set([...Object.keys(desired.files), ...Object.keys(managed.files)])]
  return { ...facts, taken: await readTaken(ctx.host, layout, paths) }
}

async function planFor(ctx: SystemContext, layout: Layout, desired: Desired, options: DebianOptions) {
  const previous = await currentGeneration(ctx.host, layout)
  const others = await otherOwners(ctx.host, layout)
  const hasRecords = previous !== undefined || (await listNumbers(ctx.host, layout)).length > 0
  refuseSharedHost(layout, others, hasRecords, ctx.takeOver === true)
  const expanded = expandUsers(desired)
  const facts = await factsFor(ctx, layout, expanded, previous?.managed ?? EMPTY_MANAGED)
  preflight(expanded, previous?.managed ?? EMPTY_MANAGED, facts, {
    autoRollback: options.autoRollback,
    machine: ctx.machine,
  })
  const plan = planSystem(desired, previous, facts, sha256)
  return { previous, plan, data: { desired, ...plan, systemd: facts.systemd !== false } satisfies PlanData }
}

async function execute(
  ctx: SystemContext,
  layout: Layout,
  actions: Action[],
  packageSource: 'mirror' | 'push',
  systemd: boolean,
): Promise<void> {
  const log = (message: string) => ctx.logger.info(message)
  for (const [i, action] of actions.entries()) {
    ctx.progress.report(`${action.kind}`, { done: i, total: actions.length })
    await runAction(ctx.host, action, { packageSource, log, progress: ctx.progress, layout, systemd })
  }
}

function toGeneration(record: GenerationRecord, current: number | undefined): Generation {
  return {
    number: record.number,
    createdAt: record.createdAt,
    current: record.number === current,
    ...(record.description ? { description: record.description } : {}),
  }
}

const debian: SystemDefinition<DebianOptions> = defineSystem<DebianOptions>({
  name: 'debian',
  apiVersion: API_VERSION,
  description: 'Declarative Debian: packages, users, files, services',
  options: debianOptions,

  async plan(ctx, options) {
    const desired = await desiredFrom(options, ctx.configDir)
    const { plan, data } = await planFor(ctx, await records(ctx), desired, options)
    return { changes: plan.changes, data: data as never }
  },

  async apply(ctx, options, planned) {
    const layout = await records(ctx)
    const data = planned.data as unknown as PlanData | undefined
    const desired = data?.desired ?? (await desiredFrom(options, ctx.configDir))
    const { previous, data: plan } = data
      ? { previous: await currentGeneration(ctx.host, layout), data }
      : await planFor(ctx, layout, desired, options)
    const units = Object.entries(desired.services)
      .filter(([, service]) => service.restartOn.length > 0)
      .map(([unit]) => unit)
    if (options.autoRollback)
      await snapshot(ctx.host, layout, touchedFiles(plan.actions, layout), units, previous?.number)
    await execute(ctx, layout, plan.actions, options.packageSource, plan.systemd)
    const numbers = await listNumbers(ctx.host, layout)
    const record: GenerationRecord = {
      number: (numbers.at(-1) ?? 0) + 1,
      createdAt: new Date().toISOString(),
      description: `${planned.changes.length} change(s)${previous ? ` from generation ${previous.number}` : ''}`,
      desired,
      managed: plan.managed,
      packageSource: options.packageSource,
    }
    await writeGeneration(ctx.host, layout, record)
    if (options.autoRollback) await arm(ctx.host, layout, options.confirmTimeout, record.number)
    return toGeneration(record, record.number)
  },

  async confirm(ctx) {
    await disarm(ctx.host, await records(ctx))
  },

  async check(ctx) {
    const layout = await records(ctx)
    const current = await currentGeneration(ctx.host, layout)
    if (!current) return [{ subject: 'generations', expected: 'at least one', actual: 'none on the host' }]
    const desired = expandUsers(current.desired)
    const facts = await readFacts(ctx.host, desired, current.managed)
    return [...driftOf(desired, facts, sha256), ...sharedFiles(desired, await otherOwners(ctx.host, layout))]
  },

  async currentGeneration(ctx) {
    return currentNumber(ctx.host, await records(ctx))
  },

  async generations(ctx) {
    const layout = await records(ctx)
    const current = await currentNumber(ctx.host, layout)
    const numbers = await listNumbers(ctx.host, layout)
    const all = await Promise.all(numbers.map((n) => readGeneration(ctx.host, layout, n)))
    return all.map((r) => toGeneration(r, current))
  },

  async rollback(ctx, to) {
    const layout = await records(ctx)
    const current = await currentGeneration(ctx.host, layout)
    if (!current)
      throw new GuixOpsError(DebianError.Generation, 'debian: nothing to roll back: the host has no generation')
    const numbers = await listNumbers(ctx.host, layout)
    const target = to ?? numbers.filter((n) => n < current.number).at(-1)
    if (target === undefined)
      throw new GuixOpsError(
        DebianError.Generation,
        `debian: generation ${current.number} is the first; there is none before it`,
      )
    const record = await readGeneration(ctx.host, layout, target)
    const facts = await factsFor(ctx, layout, expandUsers(record.desired), current.managed)
    const plan = planSystem(record.desired, current, facts, sha256)
    // Packages come back the way the deploy in force brought them.
    await execute(
      ctx,
      layout,
      plan.actions,
      current.packageSource ?? record.packageSource ?? 'mirror',
      facts.systemd !== false,
    )
    // The generation rolled back to is in force again, with what it manages now.
    await writeGeneration(ctx.host, layout, { ...record, managed: plan.managed })
    await setCurrent(ctx.host, layout, target)
    return toGeneration(record, target)
  },

  async deleteGeneration(ctx, number) {
    const layout = await records(ctx)
    if ((await currentNumber(ctx.host, layout)) === number) {
      throw new GuixOpsError(
        DebianError.Generation,
        `debian: generation ${number} is the current one; roll back or deploy first`,
      )
    }
    await readGeneration(ctx.host, layout, number) // it must exist
    await deleteGenerationFile(ctx.host, layout, number)
  },
})

export default debian
export { planSystem } from './plan.js'
export { type DebianOptions, debianOptions }
