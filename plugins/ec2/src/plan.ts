/**
 * `deploy --dry-run` for an ec2 machine not created yet: every AWS resource
 * provision would make, after EC2's own `DryRun` of the launch has checked
 * the permission and the parameters (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/CommonParameters.html:
 * a call that would succeed answers `DryRunOperation`). Only lookups and dry runs are sent.
 */
import type { PlannedChange, PluginContext } from '@guix-ops/plugin-api'
import { awsCode } from './aws-errors.js'
import type { Aws } from './client.js'
import { findGroup, groupName } from './group.js'
import { resolveImage } from './image.js'
import { keyPairName } from './keys.js'
import { ownerOf } from './launch.js'
import type { Ec2Options } from './options.js'

async function launchAllowed(aws: Aws, imageId: string, o: Ec2Options): Promise<void> {
  try {
    await aws.client.send(
      new aws.sdk.RunInstancesCommand({
        ImageId: imageId,
        InstanceType: o.instanceType as never,
        MinCount: 1,
        MaxCount: 1,
        ...(o.subnetId ? { SubnetId: o.subnetId } : {}),
        DryRun: true,
      }),
    )
  } catch (error) {
    if (awsCode(error) === 'DryRunOperation') return
    await aws.call('RunInstances (dry run)', () => Promise.reject(error))
  }
}

async function keyPairExists(aws: Aws, name: string): Promise<boolean> {
  const found = await aws.call('DescribeKeyPairs', (c, sdk) =>
    c.send(new sdk.DescribeKeyPairsCommand({ Filters: [{ Name: 'key-name', Values: [name] }] })),
  )
  return (found.KeyPairs ?? []).length > 0
}

export async function plan(ctx: PluginContext, aws: Aws, o: Ec2Options): Promise<PlannedChange[]> {
  const owner = ownerOf(ctx)
  const image = await resolveImage(aws, o.ami, o.amiOwners)
  await launchAllowed(aws, image.imageId, o)
  const volume = `${o.rootVolume.size} GiB ${o.rootVolume.type}${o.rootVolume.encrypted ? ' encrypted' : ''} root volume`
  const changes: PlannedChange[] = [
    {
      action: 'create',
      subject: `ec2 instance ${o.instanceType}${o.spot ? ' (spot)' : ''}`,
      detail: `from ${image.imageId} in ${aws.region}, ${volume}`,
    },
  ]
  if (!o.securityGroups && !(await findGroup(aws, owner, o.vpcId)))
    changes.push({
      action: 'create',
      subject: `ec2 security group ${groupName(owner)}`,
      detail: `SSH from ${o.sshFrom}`,
    })
  if (!o.keyPair && !(await keyPairExists(aws, keyPairName(owner))))
    changes.push({
      action: 'create',
      subject: `ec2 key pair ${keyPairName(owner)}`,
      detail: "the deployment's SSH key",
    })
  if (o.elasticIp) changes.push({ action: 'create', subject: 'ec2 elastic IP' })
  return changes
}
