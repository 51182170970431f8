/**
 * Waiting for an instance to reach a state, reporting progress, polling
 * faster at first (a loopback or warm AWS answers in seconds) and then every
 * few seconds, as AWS's own waiters do (they poll every 15 s).
 */
import type { Instance, InstanceStateName } from '@aws-sdk/client-ec2'
import { type PluginContext, pause } from '@guix-ops/plugin-api'
import type { Aws } from './client.js'
import { Ec2Error, ec2Error } from './errors.js'
import { byId } from './find.js'

const MAX_POLL_MS = 5000

/** Polls until `check` answers a value, or throws E_EC2_TIMEOUT naming what was awaited. */
export async function poll<T>(
  ctx: PluginContext,
  what: string,
  timeoutMs: number,
  check: () => Promise<T | undefined>,
): Promise<T> {
  const started = Date.now()
  for (let delay = 250; ; delay = Math.min(delay * 2, MAX_POLL_MS)) {
    const done = await check()
    if (done !== undefined) return done
    if (Date.now() - started > timeoutMs)
      throw ec2Error(
        Ec2Error.Timeout,
        `ec2: machine "${ctx.machine}": ${what} took longer than ${timeoutMs / 1000} s`,
        {
          machine: ctx.machine,
          suggestion: 'look at the instance in the EC2 console; raise bootTimeout if it is only slow',
        },
      )
    await pause(delay, ctx.signal)
  }
}

/** Waits for the instance to be in `wanted`; an instance that ends up terminated instead is an error. */
export async function waitForState(
  ctx: PluginContext,
  aws: Aws,
  instanceId: string,
  wanted: InstanceStateName,
  timeoutMs: number,
): Promise<Instance> {
  return poll(ctx, `reaching "${wanted}"`, timeoutMs, async () => {
    const i = await byId(aws, instanceId)
    const state = i?.State?.Name ?? 'pending' // not visible yet just after a launch
    ctx.progress.report(`instance ${instanceId} is ${state}, waiting for ${wanted}`)
    if (state === wanted) return i
    if (state === 'terminated' && wanted !== 'terminated')
      throw ec2Error(Ec2Error.Gone, `ec2: machine "${ctx.machine}": instance ${instanceId} was terminated`, {
        machine: ctx.machine,
        suggestion: `${i?.StateReason?.Message ?? 'see the instance in the EC2 console'}; run deploy to make a new one`,
      })
    return undefined
  })
}
