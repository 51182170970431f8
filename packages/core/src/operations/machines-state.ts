/** Brings a deployment's recorded machines in line with its (new) config. */
import type { DeploymentAnalysis } from '../config/index.js'
import type { MachineState } from '../state/index.js'

/**
 * Machines in the config get an entry (keeping what was recorded for them);
 * machines gone from the config are kept only while they still exist, so
 * that a later deploy or destroy can remove them.
 */
export function reconcileMachines(
  recorded: Record<string, MachineState>,
  analysis: DeploymentAnalysis,
): Record<string, MachineState> {
  const machines: Record<string, MachineState> = {}
  for (const machine of analysis.machines) {
    machines[machine.name] = { ...recorded[machine.name], platform: machine.platform, system: machine.system }
  }
  for (const [name, state] of Object.entries(recorded)) {
    if (!(name in machines) && state.resource !== undefined) machines[name] = state
  }
  return machines
}

/** Names of machines whose platform resource still exists. */
export function liveMachines(machines: Record<string, MachineState>): string[] {
  return Object.entries(machines)
    .filter(([, state]) => state.resource !== undefined)
    .map(([name]) => name)
}
