/**
 * `start` and `stop`: power machines on and off through their platform.
 * Each is asked only of machines not already in the wanted state, and
 * `start` waits until the platform reports the machine `up`.
 */
import { GuixOpsError, type PlatformStatus, waitUntil } from '@guix-ops/plugin-api'
import { ErrorCode } from '../codes.js'
import type { EngineContext } from './context.js'
import { chooseMachines, eachMachine, type MachineCall, type MachineFailure } from './platform-call.js'
import { withDeployment } from './with-lock.js'

export interface PowerResult extends MachineFailure {
  machine: string
  /** What was done: `started`/`stopped`, or nothing because it already was. */
  action?: 'started' | 'already-up' | 'stopped' | 'already-stopped'
  status?: PlatformStatus
}

export interface PowerOptions {
  deployment: string | undefined
  machines?: string[]
}

/** How often `start` asks the platform whether a machine is up yet. */
const POLL_MS = 500

export async function startMachines(
  ctx: EngineContext,
  options: PowerOptions & { timeoutSeconds?: number },
): Promise<PowerResult[]> {
  const timeoutMs = (options.timeoutSeconds ?? 300) * 1000
  return power(ctx, options, 'start', async (call) => {
    const before = await call.platform.status(call.pctx, call.resource)
    if (before === 'up') return { action: 'already-up', status: before }
    if (before !== 'stopped' && before !== 'starting') throw notPowerable(call, before, 'stopped')
    if (before === 'stopped') {
      call.pctx.progress.report('starting')
      await call.platform.start!(call.pctx, call.resource)
    }
    call.pctx.progress.report('waiting until it is up')
    return { action: 'started', status: await waitUntilUp(call, timeoutMs) }
  })
}

export async function stopMachines(ctx: EngineContext, options: PowerOptions): Promise<PowerResult[]> {
  return power(ctx, options, 'stop', async (call) => {
    const before = await call.platform.status(call.pctx, call.resource)
    if (before === 'stopped') return { action: 'already-stopped', status: before }
    if (before === 'not-created') throw notPowerable(call, before, 'up')
    call.pctx.progress.report('stopping')
    await call.platform.stop!(call.pctx, call.resource)
    return { action: 'stopped', status: await call.platform.status(call.pctx, call.resource) }
  })
}

async function power(
  ctx: EngineContext,
  options: PowerOptions,
  capability: 'start' | 'stop',
  work: (call: MachineCall) => Promise<Omit<PowerResult, 'machine'>>,
): Promise<PowerResult[]> {
  return withDeployment(ctx, options.deployment, async (state) => {
    const machines = chooseMachines(state, options.machines ?? [], { deployed: true })
    return eachMachine(ctx, state, machines, capability, work)
  })
}

async function waitUntilUp(call: MachineCall, timeoutMs: number): Promise<PlatformStatus> {
  let status: PlatformStatus | undefined
  const up = async () => {
    status = await call.platform.status(call.pctx, call.resource)
    return status === 'up' ? status : undefined
  }
  const reached = await waitUntil(up, { timeout: timeoutMs, interval: POLL_MS })
  if (reached) return reached
  throw new GuixOpsError(
    ErrorCode.StartTimeout,
    `machine "${call.machine}" is still ${status} ${Math.round(timeoutMs / 1000)} s after it was started`,
    {
      where: { machine: call.machine, plugin: call.platform.name },
      suggestion: 'look at its console or log; raise --timeout if it only boots slowly',
    },
  )
}

function notPowerable(call: MachineCall, status: PlatformStatus, wanted: PlatformStatus): GuixOpsError {
  return new GuixOpsError(
    ErrorCode.MachineState,
    `machine "${call.machine}" is ${status}, not ${wanted}; ${status === 'not-created' ? 'it does not exist' : 'left as it is'}`,
    {
      where: { machine: call.machine, plugin: call.platform.name },
      suggestion:
        status === 'not-created'
          ? `run "guix-ops deploy -d ${call.pctx.deployment.name} --include ${call.machine}" to create it`
          : `see "guix-ops info -d ${call.pctx.deployment.name}"`,
    },
  )
}
