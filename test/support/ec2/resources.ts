/**
 * Images, security groups, key pairs, tags and elastic IPs, with the errors
 * EC2 gives for them (a duplicate name, a group still in use, an unknown id;
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html).
 */
import { createHash } from 'node:crypto'
import { Ec2Fault } from './faults.js'
import { type Filter, matches, specifiedTags, tagList } from './filters.js'
import type { Context } from './instances.js'
import type { Input } from './query.js'
import { ACCOUNT, DEFAULT_VPC, newId, type SecurityGroup } from './world.js'

type Action = (ctx: Context, input: Input) => object | Promise<object>

const filters = (input: Input) => input.Filters as Filter[] | undefined

const describeImages: Action = (ctx, input) => {
  const ids = (input.ImageIds ?? []) as string[]
  const owners = (input.Owners ?? []) as string[]
  const images = ctx.world.images.filter(
    (image) =>
      (ids.length === 0 || ids.includes(image.id)) &&
      (owners.length === 0 || owners.includes(image.ownerId) || owners.includes('self')) &&
      matches(
        filters(input),
        { name: image.name, 'image-id': image.id, architecture: image.architecture, state: 'available' },
        {},
      ),
  )
  const missing = ids.find((id) => !images.some((image) => image.id === id))
  if (missing) throw new Ec2Fault('InvalidAMIID.NotFound', `The image id '[${missing}]' does not exist`)
  return {
    Images: images.map((image) => ({
      ImageId: image.id,
      Name: image.name,
      OwnerId: image.ownerId,
      CreationDate: image.creationDate,
      Architecture: image.architecture,
      State: 'available',
      ImageType: 'machine',
      Public: true,
      RootDeviceName: '/dev/xvda',
      RootDeviceType: 'ebs',
      VirtualizationType: 'hvm',
    })),
  }
}

const groupJson = (g: SecurityGroup) => ({
  GroupId: g.id,
  GroupName: g.name,
  Description: g.description,
  OwnerId: ACCOUNT,
  VpcId: g.vpcId,
  IpPermissions: g.ingress.map((rule) => ({
    IpProtocol: rule.protocol,
    FromPort: rule.from,
    ToPort: rule.to,
    IpRanges: [{ CidrIp: rule.cidr }],
  })),
  Tags: tagList(g.tags),
})

const createSecurityGroup: Action = (ctx, input) => {
  const vpcId = (input.VpcId as string | undefined) ?? DEFAULT_VPC
  if ([...ctx.world.groups.values()].some((g) => g.name === input.GroupName && g.vpcId === vpcId))
    throw new Ec2Fault(
      'InvalidGroup.Duplicate',
      `The security group '${String(input.GroupName)}' already exists for VPC '${vpcId}'`,
    )
  const group: SecurityGroup = {
    id: newId('sg'),
    name: input.GroupName as string,
    description: input.Description as string,
    vpcId,
    ingress: [],
    tags: specifiedTags(input.TagSpecifications, 'security-group'),
  }
  ctx.world.groups.set(group.id, group)
  ctx.world.created(group.id)
  return { GroupId: group.id, Tags: tagList(group.tags) }
}

const describeSecurityGroups: Action = (ctx, input) => {
  const ids = (input.GroupIds ?? []) as string[]
  const all = ids.length > 0 ? ids.map((id) => ctx.world.group(id)) : [...ctx.world.groups.values()]
  const shown = ctx.world
    .visible(all, (g) => g.id)
    .filter((g) => matches(filters(input), { 'group-name': g.name, 'group-id': g.id, 'vpc-id': g.vpcId }, g.tags))
  return { SecurityGroups: shown.map(groupJson) }
}

const deleteSecurityGroup: Action = (ctx, input) => {
  const group = ctx.world.group(input.GroupId as string)
  const user = [...ctx.world.instances.values()].find((i) => i.state !== 'terminated' && i.groupIds.includes(group.id))
  if (user)
    throw new Ec2Fault('DependencyViolation', `resource ${group.id} has a dependent object (instance ${user.id})`)
  ctx.world.groups.delete(group.id)
  return {}
}

const authorizeIngress: Action = (ctx, input) => {
  const group = ctx.world.group(input.GroupId as string)
  for (const p of (input.IpPermissions ?? []) as Record<string, unknown>[]) {
    for (const range of (p.IpRanges ?? []) as { CidrIp?: string }[]) {
      const rule = {
        protocol: p.IpProtocol as string,
        from: p.FromPort as number,
        to: p.ToPort as number,
        cidr: range.CidrIp ?? '',
      }
      if (group.ingress.some((r) => JSON.stringify(r) === JSON.stringify(rule)))
        throw new Ec2Fault(
          'InvalidPermission.Duplicate',
          `the specified rule "peer: ${rule.cidr}, TCP, from port: ${rule.from}, to port: ${rule.to}, ALLOW" already exists`,
        )
      group.ingress.push(rule)
    }
  }
  return { Return: true }
}

const importKeyPair: Action = (ctx, input) => {
  const name = input.KeyName as string
  if (ctx.world.keyPairs.has(name))
    throw new Ec2Fault('InvalidKeyPair.Duplicate', `The keypair '${name}' already exists.`)
  const publicKey = (input.PublicKeyMaterial as Buffer).toString('utf8').trim()
  if (!/^ssh-(ed25519|rsa) [A-Za-z0-9+/=]+/.test(publicKey))
    throw new Ec2Fault('InvalidKey.Format', 'Key is not in valid OpenSSH public key format')
  const blob = Buffer.from(publicKey.split(' ')[1]!, 'base64')
  const pair = {
    id: newId('key'),
    name,
    publicKey,
    fingerprint: createHash('sha256').update(blob).digest('base64').replace(/=+$/, ''),
    tags: specifiedTags(input.TagSpecifications, 'key-pair'),
  }
  ctx.world.keyPairs.set(name, pair)
  ctx.world.created(pair.id)
  return { KeyName: name, KeyPairId: pair.id, KeyFingerprint: pair.fingerprint, Tags: tagList(pair.tags) }
}

const describeKeyPairs: Action = (ctx, input) => {
  const names = (input.KeyNames ?? []) as string[]
  const missing = names.find((n) => !ctx.world.keyPairs.has(n))
  if (missing) throw new Ec2Fault('InvalidKeyPair.NotFound', `The key pair '${missing}' does not exist`)
  const pairs = ctx.world
    .visible([...ctx.world.keyPairs.values()], (k) => k.id)
    .filter(
      (k) => (names.length === 0 || names.includes(k.name)) && matches(filters(input), { 'key-name': k.name }, k.tags),
    )
  return {
    KeyPairs: pairs.map((k) => ({
      KeyPairId: k.id,
      KeyName: k.name,
      KeyFingerprint: k.fingerprint,
      KeyType: 'ed25519',
      Tags: tagList(k.tags),
    })),
  }
}

const deleteKeyPair: Action = (ctx, input) => {
  // EC2 answers success for a key pair that does not exist.
  ctx.world.keyPairs.delete(input.KeyName as string)
  return {}
}

const createTags: Action = (ctx, input) => {
  for (const id of input.Resources as string[]) {
    const tags = ctx.world.tagsOf(id)
    for (const tag of input.Tags as { Key?: string; Value?: string }[]) if (tag.Key) tags[tag.Key] = tag.Value ?? ''
  }
  return {}
}

export const resourceActions: Record<string, Action> = {
  DescribeImages: describeImages,
  CreateSecurityGroup: createSecurityGroup,
  DescribeSecurityGroups: describeSecurityGroups,
  DeleteSecurityGroup: deleteSecurityGroup,
  AuthorizeSecurityGroupIngress: authorizeIngress,
  ImportKeyPair: importKeyPair,
  DescribeKeyPairs: describeKeyPairs,
  DeleteKeyPair: deleteKeyPair,
  CreateTags: createTags,
}
