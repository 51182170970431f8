/** Plan: the system driver says what it would change on the machine; nothing changes yet. */
import path from 'node:path'
import type { SystemContext, SystemPlan } from '@guix-ops/plugin-api'
import { validateSystem } from '../../config/validate-system.js'
import { stepFailed } from '../failure.js'
import {
  describeMismatch,
  type GenerationMismatch,
  generationMismatch,
  withHostGeneration,
} from '../host-generation.js'
import type { MachineOutcome } from '../types.js'
import { announce, type MachineRun, type ResolvedMachine } from './machine.js'

/**
 * Fires `afterPlan`, which may change the plan that is applied. The host's
 * generation in force is read while the driver plans (both only read, each
 * on a channel of its own), and the state follows it before the plan is used.
 */
export async function plan(
  run: MachineRun,
  { system, systemOptions, event }: ResolvedMachine,
  host: SystemContext,
): Promise<SystemPlan> {
  const inForce = generationMismatch(system, host, run.writer.machine(run.name))
  announce(run, 'plan', `${system.name}: planning`)
  const planning = system.plan(host, systemOptions)
  // Whichever fails first, the other's outcome must not go unhandled.
  planning.catch(() => undefined)
  await followHostGeneration(run, system.name, inForce)
  const planned: SystemPlan = await planning.catch((error: unknown) => {
    throw stepFailed(system.name, 'plan', run.name, error)
  })
  return run.hooks.afterPlan.promise(planned, event)
}

/** The state follows the host's own record of its generation in force, and says so. */
async function followHostGeneration(
  run: MachineRun,
  system: string,
  inForce: Promise<GenerationMismatch | undefined>,
): Promise<void> {
  const mismatch = await inForce.catch((error: unknown) => {
    throw stepFailed(system, 'reading the generation in force', run.name, error)
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
