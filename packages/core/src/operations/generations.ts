/**
 * `list-generations`: each machine's generations as its host knows them.
 * The system driver asks the host (Guix System's own generations include the
 * installer's and any made on the host itself); the descriptions guix-ops
 * recorded when it made a generation are kept. A machine that cannot be
 * asked shows what guix-ops recorded, with a warning saying why; so does one
 * whose driver lists no generations on the host.
 */
import { type Generation, GuixOpsError } from '@guix-ops/plugin-api'
import { ErrorCode } from '../codes.js'
import type { DeploymentState, MachineState } from '../state/index.js'
import { pickDeployment, readConfig, registryFor } from './config-source.js'
import type { EngineContext } from './context.js'
import { findDeployment } from './lookup.js'
import { machineAccess, withSystemContext } from './machine-session.js'

export interface GenerationRow {
  machine: string
  number: number
  createdAt: string
  description?: string
  current: boolean
  /** Where the row was read: the host itself, or guix-ops' own record when the host could not be asked. */
  source: 'host' | 'recorded'
}

function recordedRows(machine: string, m: MachineState): GenerationRow[] {
  const generations = [...(m.generations ?? [])].sort((a, b) => a.number - b.number)
  const newest = m.currentGeneration ?? generations.at(-1)?.number
  return generations.map((g) => ({ machine, ...g, current: g.number === newest, source: 'recorded' as const }))
}

function hostRows(machine: string, m: MachineState, generations: Generation[]): GenerationRow[] {
  const recorded = new Map((m.generations ?? []).map((g) => [g.number, g]))
  return [...generations]
    .sort((a, b) => a.number - b.number)
    .map((g) => {
      const description = recorded.get(g.number)?.description ?? g.description
      return {
        machine,
        number: g.number,
        createdAt: g.createdAt,
        ...(description ? { description } : {}),
        current: g.current === true,
        source: 'host' as const,
      }
    })
}

async function askHost(ctx: EngineContext, state: DeploymentState, machine: string): Promise<Generation[]> {
  const config = await readConfig(ctx, state.configPath)
  const registry = registryFor(ctx, config, pickDeployment(config, state.name), state)
  const system = await registry.system(state.machines[machine]!.system)
  const [access] = await machineAccess(ctx, state, [machine])
  return withSystemContext(ctx, state, access!, (systemCtx) => system.generations(systemCtx))
}

export async function listGenerations(
  ctx: EngineContext,
  options: { deployment: string | undefined; machine?: string },
): Promise<GenerationRow[]> {
  const state = await findDeployment(ctx, options.deployment)
  if (options.machine && !state.machines[options.machine])
    throw new GuixOpsError(ErrorCode.Usage, `deployment "${state.name}" has no machine "${options.machine}"`, {
      suggestion: `machines: ${Object.keys(state.machines).join(', ')}`,
    })
  const rows: GenerationRow[] = []
  for (const [machine, m] of Object.entries(state.machines)) {
    if (options.machine && machine !== options.machine) continue
    if (!m.resource) {
      rows.push(...recordedRows(machine, m))
      continue
    }
    try {
      const fromHost = await askHost(ctx, state, machine)
      // A driver that keeps no generations on the host lists none: what guix-ops recorded is all there is.
      rows.push(...(fromHost.length > 0 ? hostRows(machine, m, fromHost) : recordedRows(machine, m)))
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error)
      ctx.emit({
        type: 'warning',
        message: `${machine}: could not ask the host (${why}); showing what guix-ops recorded`,
      })
      rows.push(...recordedRows(machine, m))
    }
  }
  return rows
}
