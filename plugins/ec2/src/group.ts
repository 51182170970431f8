/**
 * The deployment's own security group, made when the machine names none:
 * SSH in from `sshFrom`, shared by every machine of the deployment, tagged as
 * the deployment's so destroy knows it is ours to remove.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import type { SecurityGroup } from '@aws-sdk/client-ec2'
import { awsCode } from './aws-errors.js'
import type { Aws } from './client.js'
import { deploymentTags, type Owner, tagging } from './tags.js'

export const groupName = (owner: Owner): string => `guix-ops-${owner.deployment.id}`

export async function findGroup(aws: Aws, owner: Owner, vpcId: string | undefined): Promise<SecurityGroup | undefined> {
  const found = await aws.call('DescribeSecurityGroups', (c, sdk) =>
    c.send(
      new sdk.DescribeSecurityGroupsCommand({
        Filters: [
          { Name: 'group-name', Values: [groupName(owner)] },
          ...(vpcId ? [{ Name: 'vpc-id', Values: [vpcId] }] : []),
        ],
      }),
    ),
  )
  return found.SecurityGroups?.[0]
}

async function createGroup(aws: Aws, owner: Owner, vpcId: string | undefined): Promise<string | undefined> {
  try {
    const made = await aws.client.send(
      new aws.sdk.CreateSecurityGroupCommand({
        GroupName: groupName(owner),
        Description: `guix-ops deployment ${owner.deployment.name}: SSH in`,
        ...(vpcId ? { VpcId: vpcId } : {}),
        TagSpecifications: tagging('security-group', deploymentTags(owner)),
      }),
    )
    return made.GroupId
  } catch (error) {
    // Another machine of the deployment made it at the same moment: use theirs.
    if (awsCode(error) === 'InvalidGroup.Duplicate') return undefined
    return aws.call('CreateSecurityGroup', () => Promise.reject(error))
  }
}

async function allowSsh(aws: Aws, groupId: string, cidr: string, group?: SecurityGroup): Promise<void> {
  const has = group?.IpPermissions?.some(
    (p) => p.FromPort === 22 && p.ToPort === 22 && p.IpRanges?.some((r) => r.CidrIp === cidr),
  )
  if (has) return
  try {
    await aws.client.send(
      new aws.sdk.AuthorizeSecurityGroupIngressCommand({
        GroupId: groupId,
        IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: cidr }] }],
      }),
    )
  } catch (error) {
    if (awsCode(error) === 'InvalidPermission.Duplicate') return
    await aws.call('AuthorizeSecurityGroupIngress', () => Promise.reject(error))
  }
}

/** The group's id, made (and opened to SSH) if the deployment has none yet. */
export async function deploymentGroup(
  aws: Aws,
  owner: Owner,
  vpcId: string | undefined,
  cidr: string,
): Promise<string> {
  let group = await findGroup(aws, owner, vpcId)
  let groupId = group?.GroupId ?? (await createGroup(aws, owner, vpcId))
  // Made by another machine just now: EC2 may not show it at once (eventual consistency).
  for (let tries = 0; !groupId && tries < 10; tries++) {
    await sleep(200 * 2 ** Math.min(tries, 4))
    group = await findGroup(aws, owner, vpcId)
    groupId = group?.GroupId
  }
  if (!groupId)
    return aws.call('DescribeSecurityGroups', () => Promise.reject(new Error(`${groupName(owner)} is not visible`)))
  await allowSsh(aws, groupId, cidr, group)
  return groupId
}
