/**
 * One machine's way through a deploy: resolve its config with the results
 * of the machines it depends on, provision it, connect and verify its host
 * key, plan, apply, confirm, and record every step in state as it happens.
 * Each step, and the hooks it fires, is in its own file under steps/.
 */

import type { PlannedChange, SystemContext } from '@guix-ops/plugin-api'
import { deployKeys, plannedKeys } from '../keys/index.js'
import { awaitSession, takeSession } from './handoff.js'
import { optionChanges, plannedOptionChanges } from './option-changes.js'
import { apply } from './steps/apply.js'
import { confirm } from './steps/confirm.js'
import { connect } from './steps/connect.js'
import type { MachineRun, ResolvedMachine } from './steps/machine.js'
import { plan, planNewMachine } from './steps/plan.js'
import { provision } from './steps/provision.js'
import { resolve } from './steps/resolve.js'
import type { MachineOutcome } from './types.js'

export type { MachineRun } from './steps/machine.js'

/** Warns of options only re-creating the machine applies; returns those the deploy applies in place. */
function changedOptions(run: MachineRun, machine: ResolvedMachine): PlannedChange[] {
  const at = { deployment: run.writer.state.name, machine: run.name }
  const changes = optionChanges(machine.platform, at, machine.platformOptions, machine.recorded?.resource)
  for (const c of changes.filter((c) => c.applies === 'recreate'))
    run.emit({ type: 'log', machine: run.name, level: 'warn', message: c.message })
  return plannedOptionChanges(machine.platform.name, changes)
}

export async function deployMachine(run: MachineRun): Promise<MachineOutcome> {
  const machine = await resolve(run)
  if (run.dryRun && machine.recorded?.resource === undefined) return planNewMachine(run, machine)
  const inPlace = changedOptions(run, machine)
  // A connection the platform made to provide the machine is handed on (handoff.ts).
  if (!run.dryRun) awaitSession(machine.ctx)
  const { ssh: endpoint } = await provision(run, machine).catch((error: unknown) => {
    takeSession(machine.ctx)?.close()
    throw error
  })
  const session = await connect(run, machine, endpoint, takeSession(machine.ctx))
  try {
    const host: SystemContext = { ...machine.ctx, host: session, ...(run.takeOver ? { takeOver: true } : {}) }
    const planned = await plan(run, machine, host)
    if (run.dryRun) {
      const keys = await plannedKeys(run, session, machine.keys)
      return { machine: run.name, status: 'planned', changes: [...inPlace, ...planned.changes, ...keys] }
    }
    // With nothing to activate, keys meant for after activation go now too.
    const keys = await deployKeys(run, session, machine.keys, planned.changes.length === 0 ? 'all' : 'pre-activation')
    // Keys alone make no generation, but the machine did change: a deploy says so, naming them.
    if (planned.changes.length === 0) {
      const changes = [...inPlace, ...keys.changes]
      return { machine: run.name, status: changes.length > 0 ? 'changed' : 'unchanged', changes }
    }
    const applied = await apply(run, machine, host, planned)
    const lateKeys = await confirm(run, machine, session, endpoint, applied)
    const changes = [...inPlace, ...planned.changes, ...keys.changes, ...lateKeys]
    return { machine: run.name, status: 'changed', changes, generation: applied.generation }
  } finally {
    session.close()
  }
}
