/**
 * The host's own record of its generation in force, against the state's.
 * A CLI killed between apply and confirm leaves a state that records the
 * new generation while the host, never confirmed, rolls itself back; the
 * next command that connects reads the host's record and puts the state
 * right, saying so.
 */
import type { SystemContext, SystemDefinition } from '@guix-ops/plugin-api'
import type { MachineState } from '../state/index.js'

/** A difference between the state and the host; `undefined` means "none". */
export interface GenerationMismatch {
  recorded: number | undefined
  host: number | undefined
}

/** The mismatch, if the driver can say what the host has in force and it is not what the state records. */
export async function generationMismatch(
  system: SystemDefinition,
  ctx: SystemContext,
  recorded: MachineState | undefined,
): Promise<GenerationMismatch | undefined> {
  if (!system.currentGeneration) return undefined
  const host = await system.currentGeneration(ctx)
  // The state's current is the newest generation unless a rollback said otherwise.
  const inState = recorded?.currentGeneration ?? recorded?.generations?.at(-1)?.number
  return host === inState ? undefined : { recorded: inState, host }
}

const generation = (n: number | undefined) => (n === undefined ? 'no generation' : `generation ${n}`)

export function describeMismatch(machine: string, mismatch: GenerationMismatch, recorded = true): string {
  const now = recorded
    ? `the state now records ${generation(mismatch.host)}`
    : 'the next deploy records it in the state'
  return `machine "${machine}": the host has ${generation(mismatch.host)} in force, not ${generation(mismatch.recorded)} as the state recorded (a deploy that was never confirmed is undone on the host); ${now}`
}

/** The machine's record with the host's generation in force; with none, a generation was never in force. */
export function withHostGeneration(machine: MachineState, mismatch: GenerationMismatch): MachineState {
  const { currentGeneration: _dropped, generations: _all, ...rest } = machine
  if (mismatch.host === undefined) return rest
  return {
    ...rest,
    ...(machine.generations ? { generations: machine.generations } : {}),
    currentGeneration: mismatch.host,
  }
}
