/**
 * A new `instanceType` on an existing machine: EC2 changes the type of an
 * EBS-backed instance only while it is stopped, and answers
 * `IncorrectInstanceState` otherwise
 * (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/change-instance-type-of-ebs-backed-instance.html),
 * so the instance is stopped, changed and started. Should EC2 refuse the new
 * type or have no capacity to start it, the old type is put back and the
 * instance started again: a failed change never leaves the machine down.
 * A stop erases instance-store volumes
 * (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/InstanceStorage.html).
 */
import type { Instance } from '@aws-sdk/client-ec2'
import { GuixOpsError, type PluginContext } from '@guix-ops/plugin-api'
import type { Aws } from './client.js'
import { Ec2Error, type Ec2ErrorCode, ec2Error } from './errors.js'
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
  await stopped(ctx, aws, instance, timeoutMs)
  ctx.progress.report(`changing instance ${id} from ${made.instanceType} to ${to}`)
  let typeSet = false
  try {
    await setType(aws, id, to)
    typeSet = true
    ctx.progress.report(`starting instance ${id}`)
    await start(aws, id)
  } catch (error) {
    const old = { type: instance.InstanceType ?? made.instanceType, changed: typeSet }
    throw await putBack(ctx, aws, id, old, error, timeoutMs)
  }
  ctx.logger.info(`instance ${id} changed from ${made.instanceType} to ${to}`)
  return { instance: await waitForState(ctx, aws, id, 'running', timeoutMs), made: { ...made, instanceType: to } }
}

const setType = (aws: Aws, id: string, type: string) =>
  aws.call('ModifyInstanceAttribute', (c, sdk) =>
    c.send(new sdk.ModifyInstanceAttributeCommand({ InstanceId: id, InstanceType: { Value: type } })),
  )

const start = (aws: Aws, id: string) =>
  aws.call('StartInstances', (c, sdk) => c.send(new sdk.StartInstancesCommand({ InstanceIds: [id] })))

/** After a failed change: the old type back (when it was changed) and the instance started; the error to throw. */
async function putBack(
  ctx: PluginContext,
  aws: Aws,
  id: string,
  old: { type: string; changed: boolean },
  error: unknown,
  timeoutMs: number,
): Promise<GuixOpsError> {
  let outcome = `the instance was started again with its old type ${old.type}`
  try {
    if (old.changed) await setType(aws, id, old.type)
    await start(aws, id)
    await waitForState(ctx, aws, id, 'running', timeoutMs)
  } catch (again) {
    const said = again instanceof Error ? again.message : String(again)
    outcome = `putting it back as it was failed too (${said}): start it with \`guix-ops start\``
  }
  const failed = error instanceof GuixOpsError ? error : undefined
  return ec2Error(
    (failed?.code as Ec2ErrorCode | undefined) ?? Ec2Error.Aws,
    `${String(failed?.message ?? error)}; ${outcome}`,
    {
      machine: aws.machine,
      ...(failed?.suggestion ? { suggestion: failed.suggestion } : {}),
      cause: error,
    },
  )
}
