/**
 * The declarative Debian system driver: packages, users, groups, files,
 * directories, services and commands, applied over SSH. It keeps what it
 * manages and every generation on the target (/var/lib/guix-ops), removes
 * only what it created, and rolls back by applying an earlier generation.
 */
import { createHash } from 'node:crypto'
import {
  API_VERSION,
  type Drift,
  defineSystem,
  type Generation,
  GuixOpsError,
  type SystemContext,
  type SystemDefinition,
} from '@guix-ops/plugin-api'
import type { Action } from './actions.js'
import { runAction } from './apply.js'
import { fileBytes } from './content.js'
import { desiredFrom } from './desired.js'
import { readFacts } from './facts.js'
import {
  currentGeneration,
  deleteGenerationFile,
  listNumbers,
  readGeneration,
  setCurrent,
  writeGeneration,
} from './generations.js'
import { type Desired, EMPTY_MANAGED, type GenerationRecord, type Managed } from './model.js'
import { type DebianOptions, debianOptions } from './options.js'
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

async function planFor(ctx: SystemContext, desired: Desired, options: DebianOptions) {
  const previous = await currentGeneration(ctx.host)
  const expanded = expandUsers(desired)
  const facts = await readFacts(ctx.host, expanded, previous?.managed ?? EMPTY_MANAGED)
  preflight(expanded, previous?.managed ?? EMPTY_MANAGED, facts, {
    autoRollback: options.autoRollback,
    machine: ctx.machine,
  })
  const plan = planSystem(desired, previous, facts, sha256)
  return { previous, plan, data: { desired, ...plan, systemd: facts.systemd !== false } satisfies PlanData }
}

async function execute(
  ctx: SystemContext,
  actions: Action[],
  packageSource: 'mirror' | 'push',
  systemd: boolean,
): Promise<void> {
  const log = (message: string) => ctx.logger.info(message)
  for (const [i, action] of actions.entries()) {
    ctx.progress.report(`${action.kind}`, { done: i, total: actions.length })
    await runAction(ctx.host, action, { packageSource, log, progress: ctx.progress, systemd })
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
    const { plan, data } = await planFor(ctx, desired, options)
    return { changes: plan.changes, data: data as never }
  },

  async apply(ctx, options, planned) {
    const data = planned.data as unknown as PlanData | undefined
    const desired = data?.desired ?? (await desiredFrom(options, ctx.configDir))
    const { previous, data: plan } = data
      ? { previous: await currentGeneration(ctx.host), data }
      : await planFor(ctx, desired, options)
    const units = Object.entries(desired.services)
      .filter(([, service]) => service.restartOn.length > 0)
      .map(([unit]) => unit)
    if (options.autoRollback) await snapshot(ctx.host, touchedFiles(plan.actions), units, previous?.number)
    await execute(ctx, plan.actions, options.packageSource, plan.systemd)
    const numbers = await listNumbers(ctx.host)
    const record: GenerationRecord = {
      number: (numbers.at(-1) ?? 0) + 1,
      createdAt: new Date().toISOString(),
      description: `${planned.changes.length} change(s)${previous ? ` from generation ${previous.number}` : ''}`,
      desired,
      managed: plan.managed,
      packageSource: options.packageSource,
    }
    await writeGeneration(ctx.host, record)
    if (options.autoRollback) await arm(ctx.host, options.confirmTimeout, record.number)
    return toGeneration(record, record.number)
  },

  async confirm(ctx) {
    await disarm(ctx.host)
  },

  async check(ctx) {
    const current = await currentGeneration(ctx.host)
    if (!current) return [{ subject: 'generations', expected: 'at least one', actual: 'none on the host' }]
    const desired = expandUsers(current.desired)
    const facts = await readFacts(ctx.host, desired, current.managed)
    const drift: Drift[] = []
    for (const p of desired.packages)
      if (!facts.installed.includes(p))
        drift.push({ subject: `package ${p}`, expected: 'installed', actual: 'missing' })
    for (const [file, want] of Object.entries(desired.files)) {
      const fact = facts.files[file]
      if (!fact?.exists) drift.push({ subject: `file ${file}`, expected: 'present', actual: 'missing' })
      else if (fact.sha256 !== sha256(fileBytes(want)))
        drift.push({
          subject: `file ${file}`,
          expected: `sha256 ${sha256(fileBytes(want)).slice(0, 12)}`,
          actual: `sha256 ${fact.sha256?.slice(0, 12)}`,
        })
      else if (fact.mode?.padStart(4, '0') !== want.mode || fact.owner !== want.owner) {
        drift.push({
          subject: `file ${file}`,
          expected: `${want.mode} ${want.owner}`,
          actual: `${fact.mode} ${fact.owner}`,
        })
      }
    }
    for (const name of Object.keys(desired.users))
      if (!facts.users.includes(name)) drift.push({ subject: `user ${name}`, expected: 'present', actual: 'missing' })
    for (const name of desired.groups)
      if (!facts.groups.includes(name)) drift.push({ subject: `group ${name}`, expected: 'present', actual: 'missing' })
    for (const [unit, want] of Object.entries(desired.services)) {
      const state = facts.services[unit]
      if (want.enable && state !== 'enabled')
        drift.push({ subject: `service ${unit}`, expected: 'enabled', actual: state ?? 'unknown' })
    }
    for (const dir of Object.keys(desired.directories)) {
      if (!facts.directories[dir]?.exists)
        drift.push({ subject: `directory ${dir}`, expected: 'present', actual: 'missing' })
    }
    return drift
  },

  async generations(ctx) {
    const current = (await currentGeneration(ctx.host))?.number
    const records = await Promise.all((await listNumbers(ctx.host)).map((n) => readGeneration(ctx.host, n)))
    return records.map((r) => toGeneration(r, current))
  },

  async rollback(ctx, to) {
    const current = await currentGeneration(ctx.host)
    if (!current)
      throw new GuixOpsError('E_DEBIAN_GENERATION', 'debian: nothing to roll back: the host has no generation')
    const numbers = await listNumbers(ctx.host)
    const target = to ?? numbers.filter((n) => n < current.number).at(-1)
    if (target === undefined)
      throw new GuixOpsError(
        'E_DEBIAN_GENERATION',
        `debian: generation ${current.number} is the first; there is none before it`,
      )
    const record = await readGeneration(ctx.host, target)
    const facts = await readFacts(ctx.host, expandUsers(record.desired), current.managed)
    const plan = planSystem(record.desired, current, facts, sha256)
    // Packages come back the way the deploy in force brought them.
    await execute(ctx, plan.actions, current.packageSource ?? record.packageSource ?? 'mirror', facts.systemd !== false)
    // The generation rolled back to is in force again, with what it manages now.
    await writeGeneration(ctx.host, { ...record, managed: plan.managed })
    await setCurrent(ctx.host, target)
    return toGeneration(record, target)
  },

  async deleteGeneration(ctx, number) {
    if ((await currentGeneration(ctx.host))?.number === number) {
      throw new GuixOpsError(
        'E_DEBIAN_GENERATION',
        `debian: generation ${number} is the current one; roll back or deploy first`,
      )
    }
    await readGeneration(ctx.host, number) // it must exist
    await deleteGenerationFile(ctx.host, number)
  },
})

export default debian
export { planSystem } from './plan.js'
export { type DebianOptions, debianOptions }
