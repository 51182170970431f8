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
  type RemoteHost,
  type SystemContext,
  type SystemDefinition,
} from '@guix-ops/plugin-api'
import type { Action } from './actions.js'
import { runAction } from './apply.js'
import { takeOriginals } from './backups.js'
import { coalesce, sessionBatch } from './batch.js'
import { DebianError } from './codes.js'
import { desiredFrom } from './desired.js'
import { driftOf, sharedFiles } from './drift.js'
import { readFacts } from './facts.js'
import {
  commitGeneration,
  currentGeneration,
  currentNumber,
  deleteGenerationFile,
  listNumbers,
  readGeneration,
  setCurrent,
  writeGeneration,
} from './generations.js'
import { type Known, stillKnown } from './known.js'
import { type Layout, layoutOf } from './layout.js'
import { type Desired, EMPTY_MANAGED, type GenerationRecord, type Managed } from './model.js'
import { type DebianOptions, debianOptions } from './options.js'
import { adoptLegacyRecords, inForceNumber, otherOwners, refuseSharedHost } from './owners.js'
import { expandUsers, planSystem } from './plan.js'
import { completeFacts, factsFor } from './plan-reads.js'
import { preflight } from './preflight.js'
import { armArguments, disarm, snapshot, touchedFiles } from './safety.js'
import { isFileAction, type PreparedFiles, prepareFiles } from './writes.js'

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')

/** What `plan` hands to `apply`. */
interface PlanData {
  desired: Desired
  actions: Action[]
  managed: Managed
  /** Whether PID 1 of the host is systemd. */
  systemd: boolean
  /** The generation in force when planned, and the number the next one takes. */
  previous?: number
  next: number
  /** What the plan's reads told about where the files go: not asked again when they are written. */
  known?: Known
}

/**
 * This machine's records on the host, with reads to make there: records of an
 * earlier version's single layout are moved first, in the same round trip.
 */
async function records<T>(
  ctx: SystemContext,
  read: (host: RemoteHost, layout: Layout) => Promise<T>,
  host: RemoteHost = coalesce(ctx.host),
) {
  const layout = layoutOf({ deployment: ctx.deployment, machine: ctx.machine })
  const [moved, value] = await Promise.all([adoptLegacyRecords(host, layout), read(host, layout)])
  if (moved) ctx.logger.warn(`moved the host's records from /var/lib/guix-ops into ${layout.dir}`)
  return { layout, host, value }
}

/** What planning reads of the host's records, in one round trip. */
const planRecords = (host: RemoteHost, layout: Layout) =>
  Promise.all([currentGeneration(host, layout), otherOwners(host, layout), listNumbers(host, layout)])

async function planFor(
  ctx: SystemContext,
  desired: Desired,
  options: DebianOptions,
  batch: RemoteHost = coalesce(ctx.host),
  asked: () => void = () => undefined,
) {
  const expanded = expandUsers(desired)
  // The facts of what the config wants go in the records' round trip; they wait
  // (errors too) until the records say whose host this is.
  const reading = records(
    ctx,
    (h, l) => {
      const facts = factsFor(h, l, expanded, EMPTY_MANAGED).then(
        (read) => ({ read }),
        (error: unknown) => ({ error }),
      )
      return planRecords(h, l).then((read) => ({ read, facts }))
    },
    batch,
  )
  // Every read of this round trip is asked by now: they may go.
  asked()
  const { layout, host, value } = await reading
  const [previous, others, numbers] = value.read
  refuseSharedHost(layout, others, previous !== undefined || numbers.length > 0, ctx.takeOver === true)
  const wanted = await value.facts
  if ('error' in wanted) throw wanted.error
  const managed = previous?.managed ?? EMPTY_MANAGED
  const facts = await completeFacts(host, layout, expanded, managed, wanted.read)
  preflight(expanded, managed, facts, {
    autoRollback: options.autoRollback,
    machine: ctx.machine,
  })
  const plan = planSystem(desired, previous, facts, sha256)
  const data: PlanData = {
    desired,
    ...plan,
    systemd: facts.systemd !== false,
    ...(facts.known ? { known: facts.known } : {}),
    ...(previous ? { previous: previous.number } : {}),
    next: (numbers.at(-1) ?? 0) + 1,
  }
  return { host, layout, plan, data }
}

async function execute(
  ctx: SystemContext,
  layout: Layout,
  actions: Action[],
  packageSource: 'mirror' | 'push',
  systemd: boolean,
  known?: Known,
): Promise<void> {
  const log = (message: string) => ctx.logger.info(message)
  const seen = new Set(stillKnown(known, actions)?.directories)
  const base = { packageSource, log, progress: ctx.progress, layout, systemd, seen }
  let files: PreparedFiles | undefined
  for (const [i, action] of actions.entries()) {
    ctx.progress.report(`${action.kind}`, { done: i, total: actions.length })
    // When the files' turn comes: every original kept, directory made and owner looked up at once.
    if (isFileAction(action))
      files ??= await prepareFiles(ctx.host, actions, (paths) => takeOriginals(ctx.host, layout, paths), known)
    if (files?.taken.has(action)) continue
    await runAction(ctx.host, action, { ...base, ...(files ? { owners: files.owners } : {}) })
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
    // The deploy reads the generation in force as it plans (currentGeneration below): held
    // back until the plan's own reads are asked, it goes in their round trip, one shell for all.
    const batch = sessionBatch(ctx.host)
    const release = batch.hold()
    try {
      const desired = await desiredFrom(options, ctx.configDir)
      const { plan, data } = await planFor(ctx, desired, options, batch, release)
      return { changes: plan.changes, data: data as never }
    } finally {
      release()
    }
  },

  async apply(ctx, options, planned) {
    const planData = planned.data as unknown as PlanData | undefined
    const desired = planData?.desired ?? (await desiredFrom(options, ctx.configDir))
    // The plan was made over this connection just before: what it read of the records holds.
    const { host, layout, data } = planData
      ? {
          host: coalesce(ctx.host),
          layout: layoutOf({ deployment: ctx.deployment, machine: ctx.machine }),
          data: planData,
        }
      : await planFor(ctx, desired, options)
    const units = Object.entries(desired.services)
      .filter(([, service]) => service.restartOn.length > 0)
      .map(([unit]) => unit)
    if (options.autoRollback) await snapshot(host, layout, touchedFiles(data.actions, layout), units, data.previous)
    await execute({ ...ctx, host }, layout, data.actions, options.packageSource, data.systemd, data.known)
    const record: GenerationRecord = {
      number: data.next,
      createdAt: new Date().toISOString(),
      description: `${planned.changes.length} change(s)${data.previous ? ` from generation ${data.previous}` : ''}`,
      desired,
      managed: data.managed,
      packageSource: options.packageSource,
    }
    const arming = options.autoRollback ? armArguments(layout, options.confirmTimeout, record.number) : []
    await commitGeneration(host, layout, record, arming)
    return toGeneration(record, record.number)
  },

  async confirm(ctx) {
    await records(ctx, disarm)
  },

  async check(ctx) {
    const { layout, host, value: current } = await records(ctx, currentGeneration)
    if (!current) return [{ subject: 'generations', expected: 'at least one', actual: 'none on the host' }]
    const desired = expandUsers(current.desired)
    const [facts, others] = await Promise.all([readFacts(host, desired, current.managed), otherOwners(host, layout)])
    return [...driftOf(desired, facts, sha256), ...sharedFiles(desired, others)]
  },

  // Called while the deploy plans: it reads, and leaves moving the records to the plan.
  async currentGeneration(ctx) {
    return inForceNumber(sessionBatch(ctx.host), layoutOf({ deployment: ctx.deployment, machine: ctx.machine }))
  },

  async generations(ctx) {
    const { layout } = await records(ctx, async () => undefined)
    const current = await currentNumber(ctx.host, layout)
    const numbers = await listNumbers(ctx.host, layout)
    const all = await Promise.all(numbers.map((n) => readGeneration(ctx.host, layout, n)))
    return all.map((r) => toGeneration(r, current))
  },

  async rollback(ctx, to) {
    const { layout } = await records(ctx, async () => undefined)
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
    const facts = await factsFor(coalesce(ctx.host), layout, expandUsers(record.desired), current.managed)
    const plan = planSystem(record.desired, current, facts, sha256)
    // Packages come back the way the deploy in force brought them.
    await execute(
      { ...ctx, host: coalesce(ctx.host) },
      layout,
      plan.actions,
      current.packageSource ?? record.packageSource ?? 'mirror',
      facts.systemd !== false,
      facts.known,
    )
    // The generation rolled back to is in force again, with what it manages now.
    await writeGeneration(ctx.host, layout, { ...record, managed: plan.managed })
    await setCurrent(ctx.host, layout, target)
    return toGeneration(record, target)
  },

  async deleteGeneration(ctx, number) {
    const { layout } = await records(ctx, async () => undefined)
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
