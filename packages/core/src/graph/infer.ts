/**
 * Learns each machine's dependencies: what its function reads from the
 * other machines' results (called once with stand-ins), plus its `needs`.
 */
import {
  GuixOpsError,
  isGuixOpsError,
  type MachineDefinition,
  type MachineResults,
  type MachineSpec,
} from '@guix-ops/plugin-api'
import { ErrorCode } from '../codes.js'
import { recordingResults } from './placeholders.js'

export interface Inference {
  /** Machine name -> the machines it waits for, sorted. */
  dependencies: Record<string, string[]>
  /** What each function returned with stand-ins (undefined if it threw). */
  specs: Record<string, MachineSpec | undefined>
  errors: GuixOpsError[]
}

function needsOf(spec: unknown): string[] {
  const needs = (spec as { needs?: unknown } | null)?.needs
  return Array.isArray(needs) ? needs.filter((n): n is string => typeof n === 'string') : []
}

export function inferDependencies(machines: Record<string, MachineDefinition>): Inference {
  const names = Object.keys(machines)
  const dependencies: Record<string, string[]> = {}
  const specs: Record<string, MachineSpec | undefined> = {}
  const errors: GuixOpsError[] = []
  for (const [name, definition] of Object.entries(machines)) {
    if (typeof definition !== 'function') {
      specs[name] = definition
      dependencies[name] = [...new Set(needsOf(definition))].sort()
      continue
    }
    const recording = recordingResults(names)
    let spec: MachineSpec | undefined
    try {
      spec = definition(recording.results as MachineResults)
    } catch (error) {
      // Past its deadline a function fails the whole evaluation, as a loop in the config's body does.
      if (isGuixOpsError(error) && error.code === ErrorCode.ConfigTimeout) throw error
      errors.push(
        new GuixOpsError(
          ErrorCode.MachineFunction,
          `machine "${name}": its function threw while guix-ops inferred its dependencies: ${(error as Error)?.message ?? String(error)}`,
          {
            where: { path: `machines.${name}`, machine: name },
            suggestion:
              "do not compute on other machines' results before they exist (they are stand-ins then); declare `needs` for ordering",
          },
        ),
      )
    }
    specs[name] = spec
    dependencies[name] = [...new Set([...recording.reads(), ...needsOf(spec)])].sort()
  }
  return { dependencies, specs, errors }
}
