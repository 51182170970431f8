/**
 * Which of a deployment's machines may still be running, asked of their
 * platforms. `delete --force` forgets machines, and with them the keys in
 * their state dirs: a machine that still runs would go on without anyone
 * holding its keys. Only a machine its platform calls stopped or gone is
 * safe to forget; one whose status cannot be read counts as running.
 */
import { existsSync } from 'node:fs'
import { rmdir } from 'node:fs/promises'
import path from 'node:path'
import type { DeploymentState } from '../state/index.js'
import type { EngineContext } from './context.js'
import { deploymentRegistry, failureOf, onPlatform } from './platform-call.js'

export interface RunningMachine {
  machine: string
  /** What its platform said (`up`, `starting`, ...), or why it could not say. */
  status?: string
  error?: string
}

const FORGETTABLE = new Set(['not-created', 'stopped'])

/**
 * The machines of `names` that may still run. Machines of platforms that
 * cannot destroy them (a managed host) are not guix-ops' to run and are left out.
 */
export async function runningMachines(
  ctx: EngineContext,
  state: DeploymentState,
  names: readonly string[],
): Promise<RunningMachine[]> {
  // A plugin context makes the machine's state dirs; a question must leave none behind.
  const dirs = ['shared', ['shared', state.id], 'machines', ['machines', state.id]]
    .concat(names.map((m) => ['machines', state.id, m]))
    .map((parts) => path.join(ctx.store.dir, ...[parts].flat()))
  const made = dirs.filter((dir) => !existsSync(dir)).reverse()
  try {
    return await askPlatforms(ctx, state, names)
  } finally {
    for (const dir of made) await rmdir(dir).catch(() => undefined) // only if still empty
  }
}

async function askPlatforms(
  ctx: EngineContext,
  state: DeploymentState,
  names: readonly string[],
): Promise<RunningMachine[]> {
  let registry: Awaited<ReturnType<typeof deploymentRegistry>>
  try {
    registry = await deploymentRegistry(ctx, state)
  } catch (error) {
    return names.map((machine) => ({ machine, error: failureOf(error).error ?? 'its platform cannot be loaded' }))
  }
  const checked = await Promise.all(
    names.map(async (machine): Promise<RunningMachine | undefined> => {
      try {
        return await onPlatform(ctx, state, registry, machine, undefined, async ({ platform, pctx, resource }) => {
          if (platform.capabilities.destroy !== true) return undefined
          const status = await platform.status(pctx, resource)
          return FORGETTABLE.has(status) ? undefined : { machine, status }
        })
      } catch (error) {
        return { machine, error: failureOf(error).error ?? 'its status cannot be read' }
      }
    }),
  )
  return checked.filter((m): m is RunningMachine => m !== undefined)
}
