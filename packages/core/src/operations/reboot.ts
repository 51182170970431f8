/** `reboot`: reboots machines through their platform, and waits for them to answer again. */
import type { PlatformStatus } from '@guix-ops/plugin-api'
import type { EngineContext } from './context.js'
import { findDeployment } from './lookup.js'
import { chooseMachines, eachMachine, type MachineFailure } from './platform-call.js'

export interface RebootResult extends MachineFailure {
  machine: string
  status?: PlatformStatus
}

export async function rebootMachines(
  ctx: EngineContext,
  options: { deployment: string | undefined; machines?: string[] },
): Promise<RebootResult[]> {
  const state = await findDeployment(ctx, options.deployment)
  const machines = chooseMachines(state, options.machines ?? [], { deployed: true })
  return eachMachine(ctx, state, machines, 'reboot', async ({ platform, pctx, resource }) => {
    await platform.reboot!(pctx, resource)
    return { status: await platform.status(pctx, resource) }
  })
}
