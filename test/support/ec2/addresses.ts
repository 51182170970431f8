/**
 * Elastic IPs: allocated from the loopback range like every address here;
 * associating one gives the instance that public address (its host listens
 * there too), as EC2 does (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/elastic-ip-addresses-eip.html).
 */
import { Ec2Fault } from './faults.js'
import { type Filter, matches, specifiedTags, tagList } from './filters.js'
import type { Context } from './instances.js'
import type { Input } from './query.js'
import { type Address, newId } from './world.js'

type Action = (ctx: Context, input: Input) => object | Promise<object>

function address(ctx: Context, allocationId: unknown): Address {
  const found = ctx.world.addresses.get(allocationId as string)
  if (!found)
    throw new Ec2Fault('InvalidAllocationID.NotFound', `The allocation ID '${String(allocationId)}' does not exist`)
  return found
}

const allocate: Action = async (ctx, input) => {
  const a: Address = {
    allocationId: newId('eipalloc'),
    publicIp: await ctx.machines.address(),
    tags: specifiedTags(input.TagSpecifications, 'elastic-ip'),
  }
  ctx.world.addresses.set(a.allocationId, a)
  return { AllocationId: a.allocationId, PublicIp: a.publicIp, Domain: 'vpc' }
}

const associate: Action = async (ctx, input) => {
  const a = address(ctx, input.AllocationId)
  const i = ctx.world.instance(input.InstanceId as string)
  if (i.state !== 'running' && i.state !== 'stopped')
    throw new Ec2Fault('IncorrectInstanceState', `The instance '${i.id}' is not in a valid state for this operation.`)
  a.instanceId = i.id
  a.associationId = newId('eipassoc')
  i.publicIp = a.publicIp
  if (i.state === 'running') {
    await ctx.machines.halt(i)
    await ctx.machines.boot(i)
  }
  return { AssociationId: a.associationId }
}

const release: Action = (ctx, input) => {
  const a = address(ctx, input.AllocationId)
  if (a.associationId) throw new Ec2Fault('InvalidIPAddress.InUse', `Address ${a.publicIp} is in use.`)
  ctx.world.addresses.delete(a.allocationId)
  return {}
}

const describe: Action = (ctx, input) => {
  const ids = (input.AllocationIds ?? []) as string[]
  for (const id of ids) address(ctx, id)
  const shown = [...ctx.world.addresses.values()].filter(
    (a) =>
      (ids.length === 0 || ids.includes(a.allocationId)) &&
      matches(
        input.Filters as Filter[] | undefined,
        { 'allocation-id': a.allocationId, 'instance-id': a.instanceId },
        a.tags,
      ),
  )
  return {
    Addresses: shown.map((a) => ({
      AllocationId: a.allocationId,
      PublicIp: a.publicIp,
      Domain: 'vpc',
      ...(a.instanceId ? { InstanceId: a.instanceId, AssociationId: a.associationId } : {}),
      Tags: tagList(a.tags),
    })),
  }
}

export const addressActions: Record<string, Action> = {
  AllocateAddress: allocate,
  AssociateAddress: associate,
  ReleaseAddress: release,
  DescribeAddresses: describe,
}
