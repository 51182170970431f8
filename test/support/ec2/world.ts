/**
 * What the loopback EC2 endpoint holds: images, instances, security groups,
 * key pairs, elastic IPs and their tags, and the faults a test asks for.
 *
 * EC2 is eventually consistent: a resource just created may be missing from
 * the next Describe call, and an instance is `pending` before it is `running`
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/query-api-troubleshooting.html#eventual-consistency).
 * Both happen here, so the platform is written for them.
 */
import { randomBytes } from 'node:crypto'
import { Ec2Fault } from './faults.js'
import type { InstanceHost } from './hosts.js'

export type Tags = Record<string, string>
export type StateName = 'pending' | 'running' | 'shutting-down' | 'terminated' | 'stopping' | 'stopped'

/** EC2's numeric state codes (InstanceState.Code in the model). */
export const STATE_CODES: Record<StateName, number> = {
  pending: 0,
  running: 16,
  'shutting-down': 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
}

export interface Image {
  id: string
  name: string
  ownerId: string
  creationDate: string
  architecture: 'x86_64' | 'arm64'
}

export interface Instance {
  id: string
  reservationId: string
  imageId: string
  instanceType: string
  keyName?: string
  subnetId: string
  vpcId: string
  groupIds: string[]
  clientToken: string
  state: StateName
  privateIp: string
  publicIp?: string
  launchTime: Date
  tags: Tags
  spot: boolean
  rootVolume: { size: number; type: string; encrypted: boolean }
  /** The real host behind it, while it runs. */
  host?: InstanceHost
  /** Its host key, as cloud-init prints it on the console once booted. */
  console: string
}

export interface SecurityGroup {
  id: string
  name: string
  description: string
  vpcId: string
  ingress: { protocol: string; from: number; to: number; cidr: string }[]
  tags: Tags
}

export interface KeyPair {
  id: string
  name: string
  publicKey: string
  fingerprint: string
  tags: Tags
}

export interface Address {
  allocationId: string
  publicIp: string
  associationId?: string
  instanceId?: string
  tags: Tags
}

export const ACCOUNT = '123456789012'
export const DEFAULT_VPC = 'vpc-0a1b2c3d4e5f60718'
export const DEFAULT_SUBNET = 'subnet-0a1b2c3d4e5f60718'

/** Ids as EC2 writes them: a prefix and 17 hex digits. */
export const newId = (prefix: string): string => `${prefix}-${randomBytes(9).toString('hex').slice(0, 17)}`

export class World {
  images: Image[] = []
  instances = new Map<string, Instance>()
  groups = new Map<string, SecurityGroup>()
  keyPairs = new Map<string, KeyPair>()
  addresses = new Map<string, Address>()
  /** Every request the endpoint answered, by action, in order (for tests to count). */
  calls: string[] = []
  /** Every error answered, as `Action: Code`, in order (for tests to show one never happens). */
  faults: string[] = []
  /** Ids created but not yet seen by a Describe call: the first Describe leaves them out. */
  private unseen = new Set<string>()
  private throttled = new Map<string, number>()
  private failures = new Map<string, Ec2Fault[]>()
  /** How many items a Describe page holds at most, whatever MaxResults says. */
  pageSize = 1000
  /** Whether new resources are missing from the first Describe. */
  lagging = true

  created(id: string): void {
    if (this.lagging) this.unseen.add(id)
  }

  /** Filters out resources not yet visible, making them visible for the next call. */
  visible<T>(items: T[], id: (item: T) => string): T[] {
    const shown = items.filter((item) => !this.unseen.has(id(item)))
    for (const item of items) this.unseen.delete(id(item))
    return shown
  }

  /** The next `times` calls of `action` answer RequestLimitExceeded. */
  throttle(action: string, times: number): void {
    this.throttled.set(action, times)
  }

  /** The next call of `action` fails with this AWS error code. */
  failNext(action: string, code: string, message: string, status = 400): void {
    this.failures.set(action, [...(this.failures.get(action) ?? []), new Ec2Fault(code, message, status)])
  }

  /** Called with each action as it arrives (a test may interrupt its client there). */
  onCall: ((action: string) => void) | undefined

  /** Throws the fault a test arranged for this call, if any. */
  injected(action: string): void {
    this.onCall?.(action)
    const left = this.throttled.get(action) ?? 0
    if (left > 0) {
      this.throttled.set(action, left - 1)
      throw new Ec2Fault('RequestLimitExceeded', 'Request limit exceeded.', 503)
    }
    const fault = this.failures.get(action)?.shift()
    if (fault) throw fault
  }

  instance(id: string): Instance {
    const found = this.instances.get(id)
    if (!found) throw new Ec2Fault('InvalidInstanceID.NotFound', `The instance ID '${id}' does not exist`)
    return found
  }

  group(id: string): SecurityGroup {
    const found = this.groups.get(id)
    if (!found) throw new Ec2Fault('InvalidGroup.NotFound', `The security group '${id}' does not exist`)
    return found
  }

  /** Tags of any resource by id, for CreateTags. */
  tagsOf(id: string): Tags {
    const owner =
      this.instances.get(id) ??
      this.groups.get(id) ??
      [...this.keyPairs.values()].find((k) => k.id === id) ??
      [...this.addresses.values()].find((a) => a.allocationId === id)
    if (!owner) throw new Ec2Fault('InvalidID', `The ID '${id}' is not valid`)
    return owner.tags
  }
}
