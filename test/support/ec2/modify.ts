/**
 * ModifyInstanceAttribute, for the one attribute guix-ops changes: the
 * instance type. EC2 changes the type of a stopped EBS-backed instance only
 * (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/change-instance-type-of-ebs-backed-instance.html);
 * on any other state it answers `IncorrectInstanceState`, "the instance is in
 * an incorrect state for the requested action. For example, some instance
 * attributes ... can only be modified if the instance is in a stopped state"
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html).
 */
import { Ec2Fault } from './faults.js'
import type { Context } from './instances.js'
import type { Input } from './query.js'

/** The members of the request that each name an attribute to change ("only one attribute at a time"). */
const ATTRIBUTE_MEMBERS = [
  'SourceDestCheck',
  'Attribute',
  'BlockDeviceMappings',
  'DisableApiTermination',
  'EbsOptimized',
  'EnaSupport',
  'Groups',
  'InstanceInitiatedShutdownBehavior',
  'InstanceType',
  'Kernel',
  'Ramdisk',
  'SriovNetSupport',
  'UserData',
  'DisableApiStop',
]

function newType(input: Input): string {
  const named = ATTRIBUTE_MEMBERS.filter((m) => input[m] !== undefined)
  if (named.length !== 1)
    throw new Ec2Fault('InvalidParameterCombination', 'Fields for multiple attribute types specified')
  if (named[0] !== 'InstanceType')
    throw new Ec2Fault('UnsupportedOperation', `The endpoint changes only the instance type, not ${named[0]}`)
  const value = (input.InstanceType as { Value?: string }).Value
  if (!value) throw new Ec2Fault('InvalidInstanceAttributeValue', 'The instance type is empty')
  return value
}

function modifyInstanceAttribute(ctx: Context, input: Input): object {
  const i = ctx.world.instance(input.InstanceId as string)
  const type = newType(input)
  if (i.state !== 'stopped')
    throw new Ec2Fault('IncorrectInstanceState', `The instance '${i.id}' is not in the 'stopped' state.`)
  i.instanceType = type
  return {}
}

export const modifyActions: Record<string, (ctx: Context, input: Input) => object> = {
  ModifyInstanceAttribute: modifyInstanceAttribute,
}
