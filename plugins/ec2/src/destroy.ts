/**
 * Destroy: terminate the instance and wait until it is gone, then release
 * the elastic IP and remove the deployment's security group and key pair
 * that guix-ops made, once no other machine of the deployment uses them.
 * A group that something else still uses is left, with an error naming it
 * and who uses it; running destroy again finishes the job.
 */
import { type PluginContext, pause } from '@guix-ops/plugin-api'
import { awsCode } from './aws-errors.js'
import type { Aws } from './client.js'
import { releaseElasticIp } from './elastic-ip.js'
import { Ec2Error, ec2Error } from './errors.js'
import { byId, describe, isAlive } from './find.js'
import { forgetToken } from './launch.js'
import type { Ec2Resource } from './resource.js'
import { DEPLOYMENT_TAG } from './tags.js'
import { waitForState } from './wait.js'

const LIVE = { Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped', 'shutting-down'] }

async function terminate(ctx: PluginContext, aws: Aws, r: Ec2Resource): Promise<void> {
  const instance = await byId(aws, r.instanceId)
  if (!instance || instance.State?.Name === 'terminated') return
  if (isAlive(instance)) {
    ctx.progress.report(`terminating instance ${r.instanceId}`)
    await aws.call('TerminateInstances', (c, sdk) =>
      c.send(new sdk.TerminateInstancesCommand({ InstanceIds: [r.instanceId] })),
    )
  }
  await waitForState(ctx, aws, r.instanceId, 'terminated', r.bootTimeout * 1000)
}

/** Ids of the instances (anyone's) still in the group, other than the one destroyed. */
async function groupUsers(aws: Aws, r: Ec2Resource, groupId: string): Promise<{ ours: string[]; others: string[] }> {
  const users = await describe(aws, [{ Name: 'instance.group-id', Values: [groupId] }, LIVE])
  const left = users.filter((i) => i.InstanceId !== r.instanceId)
  const ours = (i: (typeof left)[number]) => i.Tags?.some((t) => t.Key === DEPLOYMENT_TAG) ?? false
  return {
    ours: left.filter(ours).map((i) => i.InstanceId!),
    others: left.filter((i) => !ours(i)).map((i) => i.InstanceId!),
  }
}

async function deleteGroup(ctx: PluginContext, aws: Aws, r: Ec2Resource, groupId: string): Promise<void> {
  const users = await groupUsers(aws, r, groupId)
  if (users.ours.length > 0) return ctx.logger.info(`security group ${groupId} stays: other machines use it`)
  if (users.others.length > 0)
    throw ec2Error(
      Ec2Error.InUse,
      `ec2: machine "${ctx.machine}": the instance is terminated, but security group ${groupId} is still used by ${users.others.join(', ')}`,
      { machine: ctx.machine, suggestion: 'take those instances out of the group, then run destroy again' },
    )
  // Just after a termination EC2 may still count the instance in the group for a moment.
  for (let tries = 0; ; tries++) {
    try {
      await aws.client.send(new aws.sdk.DeleteSecurityGroupCommand({ GroupId: groupId }))
      return
    } catch (error) {
      const code = awsCode(error)
      if (code === 'InvalidGroup.NotFound') return
      if (code !== 'DependencyViolation' || tries >= 5)
        return aws.call(`DeleteSecurityGroup ${groupId}`, () => Promise.reject(error))
      await pause(500 * 2 ** tries, ctx.signal)
    }
  }
}

async function deleteKeyPair(ctx: PluginContext, aws: Aws, r: Ec2Resource, keyName: string): Promise<void> {
  const others = await describe(aws, [{ Name: 'key-name', Values: [keyName] }, LIVE])
  if (others.some((i) => i.InstanceId !== r.instanceId))
    return ctx.logger.info(`key pair ${keyName} stays: other machines use it`)
  await aws.call('DeleteKeyPair', (c, sdk) => c.send(new sdk.DeleteKeyPairCommand({ KeyName: keyName })))
}

export async function destroy(ctx: PluginContext, aws: Aws, r: Ec2Resource): Promise<void> {
  await terminate(ctx, aws, r)
  if (r.allocationId) await releaseElasticIp(aws, r.allocationId)
  if (r.createdGroupId) await deleteGroup(ctx, aws, r, r.createdGroupId)
  if (r.createdKeyPair) await deleteKeyPair(ctx, aws, r, r.createdKeyPair)
  await forgetToken(ctx)
}
