/**
 * The machine graph: a deploy order in which every machine comes after the
 * machines it depends on, grouped into levels that can run in parallel.
 * Missing machines and cycles are errors that name them.
 */
import type { MachineDefinition } from '@guix-ops/plugin-api'
import { GuixOpsError } from '@guix-ops/plugin-api'
import { ErrorCode } from '../codes.js'
import { closest } from '../config/describe.js'

export interface MachineGraph {
  /** Topological order; ties keep config order. */
  order: string[]
  /** Machines at each depth; those in one level do not depend on each other. */
  levels: string[][]
  /** Machine name -> machines that depend on it. */
  dependents: Record<string, string[]>
  errors: GuixOpsError[]
}

/** Each distinct cycle once, starting from its machine that comes first in config order. */
function findCycles(names: string[], edges: Record<string, string[]>): string[][] {
  const position = new Map(names.map((n, i) => [n, i]))
  const state = new Map<string, 'open' | 'done'>()
  const stack: string[] = []
  const cycles = new Map<string, string[]>()
  const visit = (node: string) => {
    state.set(node, 'open')
    stack.push(node)
    for (const next of edges[node] ?? []) {
      if (!position.has(next)) continue
      if (state.get(next) === 'open') {
        const cycle = stack.slice(stack.indexOf(next))
        const first = cycle.reduce((a, b) => (position.get(a)! <= position.get(b)! ? a : b))
        const start = cycle.indexOf(first)
        const rotated = [...cycle.slice(start), ...cycle.slice(0, start)]
        const key = rotated.join('\0')
        if (!cycles.has(key)) cycles.set(key, rotated)
      } else if (!state.has(next)) {
        visit(next)
      }
    }
    stack.pop()
    state.set(node, 'done')
  }
  for (const name of names) if (!state.has(name)) visit(name)
  return [...cycles.values()]
}

export function buildGraph(
  machines: Record<string, MachineDefinition>,
  dependencies: Record<string, string[]>,
  where: { file?: string; deployment?: string } = {},
): MachineGraph {
  const names = Object.keys(machines)
  const known = new Set(names)
  const errors: GuixOpsError[] = []

  for (const name of names) {
    for (const dep of dependencies[name] ?? []) {
      if (known.has(dep)) continue
      const guess = closest(dep, names)
      errors.push(
        new GuixOpsError(
          ErrorCode.MissingDependency,
          `machine "${name}" depends on "${dep}", which is not a machine of this deployment`,
          {
            where: { ...where, path: `machines.${name}`, machine: name },
            suggestion: `${guess ? `did you mean "${guess}"? ` : ''}machines: ${names.join(', ')}`,
          },
        ),
      )
    }
  }

  const cycles = findCycles(names, dependencies)
  const inCycle = new Set<string>()
  for (const cycle of cycles) {
    for (const n of cycle) inCycle.add(n)
    errors.push(
      new GuixOpsError(ErrorCode.DependencyCycle, `dependency cycle: ${[...cycle, cycle[0]].join(' -> ')}`, {
        where: { ...where, path: `machines.${cycle[0]}`, machine: cycle[0]! },
        suggestion: 'a machine cannot need, directly or not, its own result; break the cycle',
      }),
    )
  }

  const dependents: Record<string, string[]> = Object.fromEntries(names.map((n) => [n, []]))
  for (const name of names) for (const dep of dependencies[name] ?? []) dependents[dep]?.push(name)

  // Kahn's algorithm by levels, over known machines; cycles (and what waits on them) never become ready.
  const levels: string[][] = []
  const placed = new Set<string>()
  let remaining = names.filter((n) => !inCycle.has(n))
  for (;;) {
    const ready = remaining.filter((n) => (dependencies[n] ?? []).every((d) => !known.has(d) || placed.has(d)))
    if (ready.length === 0) break
    levels.push(ready)
    for (const n of ready) placed.add(n)
    remaining = remaining.filter((n) => !placed.has(n))
  }
  return { order: levels.flat(), levels, dependents, errors }
}
