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

/** The sizes EC2 names its instance types with (https://docs.aws.amazon.com/ec2/latest/instancetypes/instance-type-names.html). */
const KNOWN_SIZE = /^[a-z][a-z0-9-]*\.(nano|micro|small|medium|large|metal|\d*xlarge)$/

function newType(input: Input): string {
  const named = ATTRIBUTE_MEMBERS.filter((m) => input[m] !== undefined)
  if (named.length !== 1)
    throw new Ec2Fault('InvalidParameterCombination', 'Fields for multiple attribute types specified')
  if (named[0] !== 'InstanceType')
    throw new Ec2Fault('UnsupportedOperation', `The endpoint changes only the instance type, not ${named[0]}`)
  const value = (input.InstanceType as { Value?: string }).Value
  if (!value) throw new Ec2Fault('InvalidInstanceAttributeValue', 'The instance type is empty')
  // EC2 refuses a type it does not offer with `InvalidInstanceAttributeValue`, "the specified
  // instance attribute value is not valid ... most commonly encountered when trying to set the
  // InstanceType" (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html).
  // The endpoint knows types by their size, the part after the dot (t3.mediumm has none it knows).
  if (!KNOWN_SIZE.test(value))
    throw new Ec2Fault('InvalidInstanceAttributeValue', `Value (${value}) for parameter instanceType is invalid.`)
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
