/** Provision: the platform creates the machine, or checks the one it created before, and says how to reach it. */
import type { MachineResult, PlatformDefinition } from '@guix-ops/plugin-api'
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
  if (!run.dryRun) {
    await run.writer.update(name, (m) => ({
      ...m,
      platform: platform.name,
      system: system.name,
      resource: provisioned.resource,
      address: provisioned.address,
      outputs: provisioned.outputs ?? {},
    }))
  }
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
