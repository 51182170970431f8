/**
 * What an instance was made with, kept in its resource, and how the options
 * now differ from it. EC2 changes an EBS-backed instance's type while it is
 * stopped (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/change-instance-type-of-ebs-backed-instance.html),
 * so a deploy does that; the image, subnet, VPC, groups, key pair, root
 * volume and market are fixed at launch as far as guix-ops goes: only
 * destroy and deploy apply those, and nothing changes until then.
 */
import type { JsonValue, OptionChange } from '@guix-ops/plugin-api'
import { Ec2Error } from './codes.js'
import type { Ec2Options } from './options.js'

export interface MadeWith {
  [key: string]: JsonValue
  instanceType: string
  ami: string
  subnetId: string | null
  vpcId: string | null
  securityGroups: string[] | null
  keyPair: string | null
  rootVolume: { size: number; type: string; encrypted: boolean }
  spot: boolean
}

export function madeWith(o: Ec2Options): MadeWith {
  return {
    instanceType: o.instanceType,
    ami: o.ami,
    subnetId: o.subnetId ?? null,
    vpcId: o.vpcId ?? null,
    securityGroups: o.securityGroups ?? null,
    keyPair: o.keyPair ?? null,
    rootVolume: { ...o.rootVolume },
    spot: o.spot,
  }
}

/**
 * The record of an instance found again with none kept (state written before
 * the record existed, or lost): its type, and its image when the `ami` option
 * names one by id, are what EC2 describes, so a type changed in the same
 * deploy is applied rather than taken as done. An `ami` name pattern stays as
 * it is: it may match a newer image now than the one launched.
 */
export function madeWithFound(o: Ec2Options, i: { InstanceType?: string; ImageId?: string }): MadeWith {
  const made = madeWith(o)
  if (i.InstanceType) made.instanceType = i.InstanceType
  if (i.ImageId && o.ami.startsWith('ami-')) made.ami = i.ImageId
  return made
}

/** The options only a new instance takes, in the order they are told. */
const AT_LAUNCH_ONLY = ['ami', 'subnetId', 'vpcId', 'securityGroups', 'keyPair', 'rootVolume', 'spot'] as const

const same = (a: JsonValue, b: JsonValue): boolean => JSON.stringify(a) === JSON.stringify(b)

/** A one-time spot instance cannot be stopped, so neither can its type change. */
export const typeChangeable = (made: MadeWith): boolean => !made.spot

export function optionChanges(made: MadeWith | null | undefined, o: Ec2Options): OptionChange[] {
  if (!made) return [] // made before guix-ops kept this record: the next deploy records it
  const now = madeWith(o)
  const changes: OptionChange[] = []
  if (now.instanceType !== made.instanceType) {
    const change = { option: 'instanceType', from: made.instanceType, to: now.instanceType }
    changes.push(
      typeChangeable(made)
        ? { ...change, applies: 'deploy', detail: 'stops and starts the machine, erasing its instance-store volumes' }
        : { ...change, applies: 'recreate', detail: 'a spot instance cannot be stopped', code: Ec2Error.Recreate },
    )
  }
  for (const option of AT_LAUNCH_ONLY) {
    if (same(made[option], now[option])) continue
    changes.push({ option, from: made[option], to: now[option], applies: 'recreate', code: Ec2Error.Recreate })
  }
  return changes
}
