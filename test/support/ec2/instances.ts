/**
 * The instance actions: RunInstances (idempotent by ClientToken), Describe,
 * Start/Stop/Reboot/Terminate, GetConsoleOutput, DescribeInstanceStatus.
 * States move as EC2's lifecycle says (pending -> running, stopping ->
 * stopped, shutting-down -> terminated; https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2-instance-lifecycle.html),
 * each a short while after the call that started it.
 */
import { Ec2Fault } from './faults.js'
import { type Filter, matches, page, specifiedTags, tagList } from './filters.js'
import type { Input } from './query.js'
import {
  ACCOUNT,
  DEFAULT_SUBNET,
  DEFAULT_VPC,
  type Instance,
  newId,
  STATE_CODES,
  type StateName,
  type World,
} from './world.js'

/** What the endpoint needs from its hosts: a real machine per running instance. */
export interface Machines {
  /** Boots the instance's host (made on first boot); returns its console text. */
  boot(instance: Instance): Promise<string>
  halt(instance: Instance): Promise<void>
  /** Removes the host and its files for good. */
  remove(instance: Instance): Promise<void>
  /** A free loopback address for a new instance. */
  address(): Promise<string>
}

export interface Context {
  world: World
  machines: Machines
  /** How long a state change takes, in ms. */
  transitionMs: number
}

const state = (name: StateName) => ({ Code: STATE_CODES[name], Name: name })

export function instanceJson(i: Instance, world: World): object {
  return {
    InstanceId: i.id,
    ImageId: i.imageId,
    InstanceType: i.instanceType,
    ...(i.keyName ? { KeyName: i.keyName } : {}),
    LaunchTime: i.launchTime,
    Placement: { AvailabilityZone: 'us-east-1a', Tenancy: 'default' },
    PrivateIpAddress: i.privateIp,
    ...(i.publicIp && i.state === 'running' ? { PublicIpAddress: i.publicIp } : {}),
    State: state(i.state),
    SubnetId: i.subnetId,
    VpcId: i.vpcId,
    ClientToken: i.clientToken,
    RootDeviceName: '/dev/xvda',
    RootDeviceType: 'ebs',
    SecurityGroups: i.groupIds.map((id) => ({ GroupId: id, GroupName: world.groups.get(id)?.name ?? id })),
    ...(i.spot ? { InstanceLifecycle: 'spot' } : {}),
    Tags: tagList(i.tags),
    Architecture: 'x86_64',
  }
}

/** Moves an instance to `to` after a while, doing `then` first (booting or halting its host). */
function later(ctx: Context, i: Instance, from: StateName, to: StateName, then: () => Promise<void>): void {
  setTimeout(() => {
    if (i.state !== from) return
    then().then(
      () => {
        if (i.state === from) i.state = to
      },
      (error) => {
        i.console = `boot failed: ${error}`
      },
    )
  }, ctx.transitionMs)
}

function boot(ctx: Context, i: Instance): void {
  i.state = 'pending'
  i.launchTime = new Date() // LaunchTime is the time of the last start
  later(ctx, i, 'pending', 'running', async () => {
    i.console = await ctx.machines.boot(i)
  })
}

function sameRequest(i: Instance, input: Input): void {
  if (i.imageId !== input.ImageId || i.instanceType !== (input.InstanceType ?? 'm1.small'))
    throw new Ec2Fault('IdempotentParameterMismatch', `Client token ${i.clientToken} was used with other parameters`)
}

function checkLaunch(ctx: Context, input: Input): void {
  if (input.MinCount !== 1 || input.MaxCount !== 1)
    throw new Ec2Fault('InvalidParameterValue', 'The endpoint launches one instance per request')
  if (!ctx.world.images.some((image) => image.id === input.ImageId))
    throw new Ec2Fault('InvalidAMIID.NotFound', `The image id '[${String(input.ImageId)}]' does not exist`)
  for (const id of (input.SecurityGroupIds ?? []) as string[]) ctx.world.group(id)
  if (input.KeyName && !ctx.world.keyPairs.has(input.KeyName as string))
    throw new Ec2Fault('InvalidKeyPair.NotFound', `The key pair '${String(input.KeyName)}' does not exist`)
}

function rootVolume(input: Input): Instance['rootVolume'] {
  const ebs = ((input.BlockDeviceMappings ?? []) as { Ebs?: Record<string, unknown> }[])[0]?.Ebs ?? {}
  return {
    size: (ebs.VolumeSize as number | undefined) ?? 8,
    type: (ebs.VolumeType as string | undefined) ?? 'gp3',
    encrypted: (ebs.Encrypted as boolean | undefined) ?? false,
  }
}

async function runInstances(ctx: Context, input: Input): Promise<object> {
  const token = (input.ClientToken as string | undefined) ?? newId('token')
  const again = [...ctx.world.instances.values()].find((i) => i.clientToken === token)
  if (again) {
    sameRequest(again, input)
    return {
      ReservationId: again.reservationId,
      OwnerId: ACCOUNT,
      Groups: [],
      Instances: [instanceJson(again, ctx.world)],
    }
  }
  checkLaunch(ctx, input)
  const address = await ctx.machines.address()
  const market = input.InstanceMarketOptions as { MarketType?: string } | undefined
  const i: Instance = {
    id: newId('i'),
    reservationId: newId('r'),
    imageId: input.ImageId as string,
    instanceType: (input.InstanceType as string | undefined) ?? 'm1.small',
    ...(input.KeyName ? { keyName: input.KeyName as string } : {}),
    subnetId: (input.SubnetId as string | undefined) ?? DEFAULT_SUBNET,
    vpcId: DEFAULT_VPC,
    groupIds: (input.SecurityGroupIds as string[] | undefined) ?? [],
    clientToken: token,
    state: 'pending',
    privateIp: address,
    publicIp: address,
    launchTime: new Date(),
    tags: specifiedTags(input.TagSpecifications, 'instance'),
    spot: market?.MarketType === 'spot',
    rootVolume: rootVolume(input),
    console: '',
  }
  ctx.world.instances.set(i.id, i)
  ctx.world.created(i.id)
  boot(ctx, i)
  return { ReservationId: i.reservationId, OwnerId: ACCOUNT, Groups: [], Instances: [instanceJson(i, ctx.world)] }
}

function selected(ctx: Context, input: Input): Instance[] {
  const ids = (input.InstanceIds ?? []) as string[]
  const all = ids.length > 0 ? ids.map((id) => ctx.world.instance(id)) : [...ctx.world.instances.values()]
  const shown = ctx.world.visible(all, (i) => i.id)
  const missing = ids.find((id) => !shown.some((i) => i.id === id))
  if (missing) throw new Ec2Fault('InvalidInstanceID.NotFound', `The instance ID '${missing}' does not exist`)
  return shown.filter((i) =>
    matches(
      input.Filters as Filter[] | undefined,
      {
        'instance-state-name': i.state,
        'instance-id': i.id,
        'client-token': i.clientToken,
        'key-name': i.keyName,
        'instance.group-id': i.groupIds,
      },
      i.tags,
    ),
  )
}

function describeInstances(ctx: Context, input: Input): object {
  const { items, next } = page(selected(ctx, input), input, ctx.world.pageSize)
  return {
    Reservations: items.map((i) => ({
      ReservationId: i.reservationId,
      OwnerId: ACCOUNT,
      Groups: [],
      Instances: [instanceJson(i, ctx.world)],
    })),
    ...(next ? { NextToken: next } : {}),
  }
}

function describeInstanceStatus(ctx: Context, input: Input): object {
  const all = input.IncludeAllInstances === true
  const { items, next } = page(
    selected(ctx, input).filter((i) => all || i.state === 'running'),
    input,
    ctx.world.pageSize,
  )
  const ok = (i: Instance) => ({ Status: i.state === 'running' ? 'ok' : 'not-applicable' })
  return {
    InstanceStatuses: items.map((i) => ({
      AvailabilityZone: 'us-east-1a',
      InstanceId: i.id,
      InstanceState: state(i.state),
      InstanceStatus: ok(i),
      SystemStatus: ok(i),
    })),
    ...(next ? { NextToken: next } : {}),
  }
}

type Change = (i: Instance) => void

function changeStates(ctx: Context, input: Input, change: Change): object[] {
  return ((input.InstanceIds ?? []) as string[]).map((id) => {
    const i = ctx.world.instance(id)
    const previous = i.state
    change(i)
    return { InstanceId: id, PreviousState: state(previous), CurrentState: state(i.state) }
  })
}

const stop: (ctx: Context) => Change = (ctx) => (i) => {
  if (i.state === 'terminated' || i.state === 'shutting-down')
    throw new Ec2Fault(
      'IncorrectInstanceState',
      `The instance '${i.id}' is not in a state from which it can be stopped.`,
    )
  if (i.spot)
    throw new Ec2Fault('UnsupportedOperation', `The instance '${i.id}' is a spot instance and cannot be stopped.`)
  if (i.state === 'stopped' || i.state === 'stopping') return
  i.state = 'stopping'
  later(ctx, i, 'stopping', 'stopped', () => ctx.machines.halt(i))
}

const start: (ctx: Context) => Change = (ctx) => (i) => {
  if (i.state === 'running' || i.state === 'pending') return
  if (i.state !== 'stopped')
    throw new Ec2Fault(
      'IncorrectInstanceState',
      `The instance '${i.id}' is not in a state from which it can be started.`,
    )
  boot(ctx, i)
}

const terminate: (ctx: Context) => Change = (ctx) => (i) => {
  if (i.state === 'terminated' || i.state === 'shutting-down') return
  i.state = 'shutting-down'
  for (const address of ctx.world.addresses.values()) {
    if (address.instanceId !== i.id) continue
    delete address.instanceId
    delete address.associationId
  }
  later(ctx, i, 'shutting-down', 'terminated', () => ctx.machines.remove(i))
}

async function reboot(ctx: Context, input: Input): Promise<object> {
  for (const id of (input.InstanceIds ?? []) as string[]) {
    const i = ctx.world.instance(id)
    if (i.state !== 'running') continue
    await ctx.machines.halt(i)
    i.console = await ctx.machines.boot(i)
  }
  return {}
}

function consoleOutput(ctx: Context, input: Input): object {
  const i = ctx.world.instance(input.InstanceId as string)
  // The console is base64 in the API (GetConsoleOutput's `Output`), and empty until the instance has booted.
  return {
    InstanceId: i.id,
    Timestamp: new Date(),
    ...(i.console ? { Output: Buffer.from(i.console).toString('base64') } : {}),
  }
}

export const instanceActions: Record<string, (ctx: Context, input: Input) => object | Promise<object>> = {
  RunInstances: runInstances,
  DescribeInstances: describeInstances,
  DescribeInstanceStatus: describeInstanceStatus,
  StartInstances: (ctx, input) => ({ StartingInstances: changeStates(ctx, input, start(ctx)) }),
  StopInstances: (ctx, input) => ({ StoppingInstances: changeStates(ctx, input, stop(ctx)) }),
  TerminateInstances: (ctx, input) => ({ TerminatingInstances: changeStates(ctx, input, terminate(ctx)) }),
  RebootInstances: reboot,
  GetConsoleOutput: consoleOutput,
}
