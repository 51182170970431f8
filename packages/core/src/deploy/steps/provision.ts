/** Provision: the platform creates the machine, or checks the one it created before, and says how to reach it. */
import { isDeepStrictEqual } from 'node:util'
import type { MachineResult, PlatformDefinition } from '@guix-ops/plugin-api'
import type { MachineState } from '../../state/index.js'
import { stepFailed } from '../failure.js'
import { announce, type MachineRun, type ResolvedMachine } from './machine.js'

type Provisioned = Awaited<ReturnType<PlatformDefinition['provision']>>

/** Fires `beforeProvision` and `afterProvision`; records the machine in state as soon as it exists. */
export async function provision(run: MachineRun, machine: ResolvedMachine): Promise<MachineResult> {
  const { name } = run
  const { platform, system, recorded } = machine
  announce(run, 'provision', `${platform.name}: ${recorded?.resource ? 'checking' : 'creating'} the machine`)
  await run.hooks.beforeProvision.promise(machine.event)
  let provisioned: Provisioned
  let endpoint: MachineResult['ssh']
  try {
    provisioned = await provisionOrRecall(run, machine)
    endpoint = await platform.ssh(machine.ctx, provisioned.resource)
  } catch (error) {
    throw stepFailed(platform.name, 'provision', name, error)
  }
  const record = {
    platform: platform.name,
    system: system.name,
    resource: provisioned.resource,
    address: provisioned.address,
    outputs: provisioned.outputs ?? {},
  }
  // A machine found as recorded costs no state write (and its fsyncs); one that changed is saved at once.
  if (!run.dryRun && !recordedAs(recorded, record)) await run.writer.update(name, (m) => ({ ...m, ...record }))
  const result: MachineResult = {
    name,
    address: provisioned.address,
    ssh: endpoint,
    outputs: provisioned.outputs ?? {},
  }
  run.results.set(name, result)
  await run.hooks.afterProvision.promise(machine.event, result)
  return result
}

/** Whether the state already records the machine exactly so. */
function recordedAs(recorded: MachineState | undefined, record: Partial<MachineState>): boolean {
  if (!recorded) return false
  return Object.entries(record).every(([key, value]) => isDeepStrictEqual(recorded[key as keyof MachineState], value))
}

/** A dry run changes no machine: it takes the one recorded in state as it is. */
function provisionOrRecall(
  run: MachineRun,
  { platform, platformOptions, recorded, ctx }: ResolvedMachine,
): Provisioned | Promise<Provisioned> {
  if (run.dryRun) {
    return { resource: recorded!.resource!, address: recorded!.address ?? '', outputs: recorded!.outputs ?? {} }
  }
  return platform.provision(ctx, {
    name: run.name,
    options: platformOptions,
    ...(recorded?.resource ? { existing: recorded.resource } : {}),
  })
}
