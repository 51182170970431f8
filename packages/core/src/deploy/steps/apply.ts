/** Apply: the system driver activates the plan on the machine, and state records the new generation. */
import type { Generation, SystemContext, SystemPlan } from '@guix-ops/plugin-api'
import { stepFailed } from '../failure.js'
import { announce, type MachineRun, type ResolvedMachine } from './machine.js'

export interface Applied {
  generation: Generation
  /** The generation in force before, which state goes back to if the machine cannot be reached afterwards. */
  previous: number | undefined
}

/** Fires `beforeActivate` with the plan about to be applied. */
export async function apply(
  run: MachineRun,
  { system, systemOptions, event }: ResolvedMachine,
  host: SystemContext,
  plan: SystemPlan,
): Promise<Applied> {
  const inForce = run.writer.machine(run.name)
  const previous = inForce?.currentGeneration ?? inForce?.generations?.at(-1)?.number
  announce(run, 'apply', `${system.name}: applying ${plan.changes.length} change(s)`)
  await run.hooks.beforeActivate.promise(event, plan)
  const generation = await system.apply(host, systemOptions, plan).catch((error: unknown) => {
    throw stepFailed(system.name, 'apply', run.name, error)
  })
  await run.writer.update(run.name, (m) => ({
    ...m!,
    currentGeneration: generation.number,
    generations: [
      ...(m?.generations ?? []).filter((g) => g.number !== generation.number),
      {
        number: generation.number,
        createdAt: generation.createdAt,
        ...(generation.description ? { description: generation.description } : {}),
      },
    ],
  }))
  return { generation, previous }
}
