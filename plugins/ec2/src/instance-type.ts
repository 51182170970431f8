/**
 * A new `instanceType` on an existing machine: EC2 changes the type of an
 * EBS-backed instance only while it is stopped, and answers
 * `IncorrectInstanceState` otherwise
 * (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/change-instance-type-of-ebs-backed-instance.html),
 * so the instance is stopped, changed, and left stopped for provision to start.
 */
import type { Instance } from '@aws-sdk/client-ec2'
import type { PluginContext } from '@guix-ops/plugin-api'
import type { Aws } from './client.js'
import { type MadeWith, typeChangeable } from './made.js'
import { waitForState } from './wait.js'

async function stopped(ctx: PluginContext, aws: Aws, instance: Instance, timeoutMs: number): Promise<Instance> {
  const id = instance.InstanceId!
  const state = instance.State?.Name
  // EC2 stops only a running instance: one still pending is let finish first.
  if (state === 'pending') await waitForState(ctx, aws, id, 'running', timeoutMs)
  if (state !== 'stopped' && state !== 'stopping') {
    ctx.progress.report(`stopping instance ${id} to change its type`)
    await aws.call('StopInstances', (c, sdk) => c.send(new sdk.StopInstancesCommand({ InstanceIds: [id] })))
  }
  return waitForState(ctx, aws, id, 'stopped', timeoutMs)
}

/** Gives the instance the type the options name when the user changed it; returns it as it now is, and the record. */
export async function changeType(
  ctx: PluginContext,
  aws: Aws,
  instance: Instance,
  made: MadeWith,
  to: string,
  timeoutMs: number,
): Promise<{ instance: Instance; made: MadeWith }> {
  if (made.instanceType === to || !typeChangeable(made)) return { instance, made }
  const id = instance.InstanceId!
  // Already changed by a deploy cut off before it recorded so: nothing to stop for.
  if (instance.InstanceType === to) return { instance, made: { ...made, instanceType: to } }
  if (instance.RootDeviceType !== 'ebs') {
    ctx.logger.warn(`instance ${id} has no EBS root volume and cannot be stopped: it keeps ${made.instanceType}`)
    return { instance, made }
  }
  const halted = await stopped(ctx, aws, instance, timeoutMs)
  ctx.progress.report(`changing instance ${id} from ${made.instanceType} to ${to}`)
  await aws.call('ModifyInstanceAttribute', (c, sdk) =>
    c.send(new sdk.ModifyInstanceAttributeCommand({ InstanceId: id, InstanceType: { Value: to } })),
  )
  ctx.logger.info(`instance ${id} changed from ${made.instanceType} to ${to}`)
  return { instance: halted, made: { ...made, instanceType: to } }
}
