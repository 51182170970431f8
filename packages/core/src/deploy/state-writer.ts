/**
 * Machines deploy in parallel but share one state document. Each change is
 * applied to the in-memory document and saved at once, one save at a time,
 * so that a deploy killed halfway still records every machine it created.
 */
import type { DeploymentState, MachineState, StateStore } from '../state/index.js'

export class StateWriter {
  private chain: Promise<void> = Promise.resolve()

  constructor(
    private readonly store: StateStore,
    readonly state: DeploymentState,
  ) {}

  machine(name: string): MachineState | undefined {
    return this.state.machines[name]
  }

  /** Changes one machine's record and saves the document. */
  update(name: string, change: (current: MachineState | undefined) => MachineState): Promise<void> {
    this.state.machines[name] = change(this.state.machines[name])
    this.state.updatedAt = new Date().toISOString()
    const snapshot = structuredClone(this.state)
    this.chain = this.chain.then(() => this.store.write(snapshot))
    return this.chain
  }

  flush(): Promise<void> {
    return this.chain
  }
}
