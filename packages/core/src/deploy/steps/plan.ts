/** Plan: the system driver says what it would change on the machine; nothing changes yet. */
import path from 'node:path'
import type { SystemContext, SystemDefinition, SystemPlan } from '@guix-ops/plugin-api'
import { validateSystem } from '../../config/validate-system.js'
import { stepFailed } from '../failure.js'
import { describeMismatch, generationMismatch, withHostGeneration } from '../host-generation.js'
import type { MachineOutcome } from '../types.js'
import { announce, type MachineRun, type ResolvedMachine } from './machine.js'

/** Fires `afterPlan`, which may change the plan that is applied. */
export async function plan(
  run: MachineRun,
  { system, systemOptions, event }: ResolvedMachine,
  host: SystemContext,
): Promise<SystemPlan> {
  await followHostGeneration(run, system, host)
  announce(run, 'plan', `${system.name}: planning`)
  const planned: SystemPlan = await system.plan(host, systemOptions).catch((error: unknown) => {
    throw stepFailed(system.name, 'plan', run.name, error)
  })
  return run.hooks.afterPlan.promise(planned, event)
}

/** Before planning, the state follows the host's own record of its generation in force, and says so. */
async function followHostGeneration(run: MachineRun, system: SystemDefinition, ctx: SystemContext): Promise<void> {
  const mismatch = await generationMismatch(system, ctx, run.writer.machine(run.name)).catch((error: unknown) => {
    throw stepFailed(system.name, 'reading the generation in force', run.name, error)
  })
  if (!mismatch) return
  run.emit({
    type: 'log',
    machine: run.name,
    level: 'warn',
    message: describeMismatch(run.name, mismatch, !run.dryRun),
  })
  if (!run.dryRun) await run.writer.update(run.name, (m) => withHostGeneration(m!, mismatch))
}

/**
 * A dry run of a machine that does not exist yet: nothing to plan against, so the
 * driver reads what it can here and says how it would go about it.
 */
export async function planNewMachine(run: MachineRun, machine: ResolvedMachine): Promise<MachineOutcome> {
  const { name, writer } = run
  const { platform, system, ctx } = machine
  const validation = await validateSystem(system, machine.systemOptions, {
    deployment: writer.state.name,
    machine: name,
    configDir: ctx.configDir ?? path.dirname(writer.state.configPath),
  })
  const how = validation?.summary ? `: ${validation.summary}` : ''
  // Dependents see a stand-in address.
  run.results.set(name, {
    name,
    address: `(address of ${name} once created)`,
    ssh: { host: '', port: 0, user: '' },
    outputs: {},
  })
  // What the platform would make for it (instances, groups, keys), when it can say.
  const made = platform.plan ? await platform.plan(ctx, { name, options: machine.platformOptions }) : []
  return {
    machine: name,
    status: 'planned',
    changes: [
      { action: 'create', subject: `machine ${name}`, detail: `${platform.name} / ${system.name}${how}` },
      ...made,
    ],
  }
}
