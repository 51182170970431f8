// The ec2 platform's lifecycle paths against the loopback EC2 endpoint, in
// process: an interrupted provision, throttling, a security group still in
// use at destroy, an instance terminated behind guix-ops' back, two machines
// sharing the deployment's group, an elastic IP, and an AMI filter matching
// nothing. Every instance is a real sshd host on 127.0.0.N.
import { randomUUID } from 'node:crypto'
import {
  DescribeInstancesCommand,
  EC2Client,
  RunInstancesCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2'
import { type TestContext, testContext } from '@guix-ops/platform-test-kit'
import ec2, { type Ec2Options, ec2Options } from '@guix-ops/plugin-ec2'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { type Ec2Endpoint, ec2ModelUnavailable, ec2TestEnv, IMAGES, startEc2Endpoint } from '../../support/ec2/index.js'
import { sshdUnavailable } from '../../support/sshd.js'

const unavailable = ec2ModelUnavailable() ?? sshdUnavailable()
if (unavailable) console.warn(`skipping the ec2 lifecycle tests: ${unavailable}`)

const options = async (extra: Record<string, unknown> = {}): Promise<Ec2Options> => {
  const parsed = await ec2Options['~standard'].validate({
    region: 'us-east-1',
    user: 'root',
    bootTimeout: 60,
    ...extra,
  })
  if (parsed.issues) throw new Error(JSON.stringify(parsed.issues))
  return parsed.value
}

describe.skipIf(unavailable !== undefined)('ec2 lifecycle against the loopback endpoint', () => {
  let endpoint: Ec2Endpoint
  let sdk: EC2Client
  const contexts: TestContext[] = []
  const context = (machine: string, share?: TestContext) => {
    const ctx = testContext(machine)
    // Each test is a deployment of its own; machines of one share its id and directory.
    const deployment = share?.deployment ?? { id: randomUUID(), name: 'shop' }
    Object.assign(ctx, { deployment, ...(share ? { deploymentDir: share.deploymentDir } : {}) })
    contexts.push(ctx)
    return ctx
  }
  const live = () => [...endpoint.world.instances.values()].filter((i) => !/terminated|shutting-down/.test(i.state))

  beforeAll(async () => {
    endpoint = await startEc2Endpoint({ transitionMs: 100 })
    Object.assign(process.env, ec2TestEnv(endpoint.url))
    sdk = new EC2Client({})
  })
  afterEach(async () => {
    endpoint.world.onCall = undefined
    for (const i of live()) await sdk.send(new TerminateInstancesCommand({ InstanceIds: [i.id] }))
    for (const ctx of contexts.splice(0)) ctx.cleanup()
  })
  afterAll(async () => {
    sdk?.destroy()
    await endpoint?.stop()
  })

  it('an interrupted provision, run again, finds the instance it launched: never two', async () => {
    const ctx = context('web')
    const abort = new AbortController()
    const interrupted = { ...ctx, signal: abort.signal }
    endpoint.world.onCall = (action) => {
      if (action === 'RunInstances') abort.abort(new Error('interrupted'))
    }
    await expect(ec2.provision(interrupted, { name: 'web', options: await options() })).rejects.toThrow('interrupted')
    endpoint.world.onCall = undefined
    expect(live()).toHaveLength(1)

    const again = await ec2.provision(ctx, { name: 'web', options: await options() })
    expect(live().map((i) => i.id)).toEqual([again.resource.instanceId])
    expect(await ec2.status(ctx, again.resource)).toBe('up')

    // With its id and its launch token both lost, it is found again by its tags.
    const { rm } = await import('node:fs/promises')
    await rm(`${ctx.stateDir}/client-token`)
    const found = await ec2.provision(ctx, { name: 'web', options: await options() })
    expect(found.resource.instanceId).toBe(again.resource.instanceId)
    expect(ctx.messages).toContain(`info: found instance ${again.resource.instanceId} by its guix-ops tags`)
    expect(live()).toHaveLength(1)
  })

  it('throttled calls are retried; throttled for good, the error names the machine and RequestLimitExceeded', async () => {
    const ctx = context('web')
    endpoint.world.throttle('RunInstances', 2)
    const before = endpoint.world.calls.length
    const made = await ec2.provision(ctx, { name: 'web', options: await options() })
    expect(endpoint.world.calls.slice(before).filter((a) => a === 'RunInstances')).toHaveLength(3)
    expect(live().map((i) => i.id)).toEqual([made.resource.instanceId])

    endpoint.world.throttle('StopInstances', 10)
    const error = await ec2.stop!(ctx, made.resource).catch((e) => e)
    expect(error.message).toMatch(/^ec2: machine "web": StopInstances failed: AWS said RequestLimitExceeded/)
    expect(error).toMatchObject({ code: 'E_EC2_THROTTLED', where: { machine: 'web', plugin: 'ec2' } })
    endpoint.world.throttle('StopInstances', 0)
  })

  it('destroy with the group still in use by another instance: terminates ours, names the group and its user; again finishes', async () => {
    const ctx = context('web')
    const { resource } = await ec2.provision(ctx, { name: 'web', options: await options() })
    const group = resource.createdGroupId!
    const foreign = await sdk.send(
      new RunInstancesCommand({ ImageId: IMAGES[0]!.id, MinCount: 1, MaxCount: 1, SecurityGroupIds: [group] }),
    )
    const foreignId = foreign.Instances![0]!.InstanceId!
    await sdk.send(new DescribeInstancesCommand({})) // an instance made a while ago, seen by now
    const error = await ec2.destroy!(ctx, resource).catch((e) => e)
    expect(error).toMatchObject({ code: 'E_EC2_IN_USE', where: { machine: 'web' } })
    expect(error.message).toContain(`security group ${group} is still used by ${foreignId}`)
    expect(await ec2.status(ctx, resource)).toBe('not-created')
    expect(endpoint.world.groups.has(group)).toBe(true)
    expect(endpoint.world.keyPairs.has(resource.createdKeyPair!)).toBe(true)

    await sdk.send(new TerminateInstancesCommand({ InstanceIds: [foreignId] }))
    await waitUntil(() => endpoint.world.instances.get(foreignId)!.state === 'terminated')
    await ec2.destroy!(ctx, resource)
    expect(endpoint.world.groups.has(group)).toBe(false)
    expect(endpoint.world.keyPairs.has(resource.createdKeyPair!)).toBe(false)
  })

  it('an instance terminated behind its back is not-created; provision makes a new one', async () => {
    const ctx = context('web')
    const first = await ec2.provision(ctx, { name: 'web', options: await options() })
    await sdk.send(new TerminateInstancesCommand({ InstanceIds: [first.resource.instanceId] }))
    expect(await ec2.status(ctx, first.resource)).toBe('not-created')
    const second = await ec2.provision(ctx, { name: 'web', options: await options(), existing: first.resource })
    expect(second.resource.instanceId).not.toBe(first.resource.instanceId)
    expect(second.resource.clientToken).not.toBe(first.resource.clientToken)
    expect(await ec2.status(ctx, second.resource)).toBe('up')
    expect(live().map((i) => i.id)).toEqual([second.resource.instanceId])
  })

  it("two machines share the deployment's group and key pair; each goes only with the last machine", async () => {
    const web = context('web')
    const db = context('db', web)
    const [a, b] = await Promise.all([
      ec2.provision(web, { name: 'web', options: await options() }),
      ec2.provision(db, { name: 'db', options: await options() }),
    ])
    expect(endpoint.world.keyPairs.has(`guix-ops-${web.deployment.id}`)).toBe(true)
    const groups = [...endpoint.world.groups.values()].filter((g) => g.name === `guix-ops-${web.deployment.id}`)
    expect(groups).toHaveLength(1)
    expect(a.resource.createdGroupId).toBe(groups[0]!.id)
    expect(b.resource.createdGroupId).toBe(groups[0]!.id)
    expect(groups[0]!.ingress).toEqual([{ protocol: 'tcp', from: 22, to: 22, cidr: '0.0.0.0/0' }])

    await ec2.destroy!(web, a.resource)
    expect(endpoint.world.groups.has(groups[0]!.id)).toBe(true)
    expect(await ec2.status(db, b.resource)).toBe('up')
    await ec2.destroy!(db, b.resource)
    expect(endpoint.world.groups.has(groups[0]!.id)).toBe(false)
    expect(endpoint.world.keyPairs.has(`guix-ops-${web.deployment.id}`)).toBe(false)
  })

  it('an elastic IP is where SSH answers; destroy releases it', async () => {
    const ctx = context('web')
    const { resource } = await ec2.provision(ctx, { name: 'web', options: await options({ elasticIp: true }) })
    const eip = endpoint.world.addresses.get(resource.allocationId!)!
    expect(resource.publicIp).toBe(eip.publicIp)
    expect((await ec2.ssh(ctx, resource)).host).toBe(eip.publicIp)
    expect(await ec2.status(ctx, resource)).toBe('up')
    await ec2.destroy!(ctx, resource)
    expect(endpoint.world.addresses.size).toBe(0)
  })

  it('an AMI name matching nothing is an error naming the machine and field, and nothing is created', async () => {
    const ctx = context('web')
    const before = endpoint.world.calls.length
    const error = await ec2
      .provision(ctx, { name: 'web', options: await options({ ami: 'debian-99-*' }) })
      .catch((e) => e)
    expect(error).toMatchObject({ code: 'E_EC2_IMAGE', where: { machine: 'web', path: 'platform.ami' } })
    expect(error.message).toContain('no image named "debian-99-*"')
    const made = endpoint.world.calls.slice(before).filter((a) => !a.startsWith('Describe'))
    expect(made).toEqual([])
  })
})

async function waitUntil(done: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !done(); i++) await new Promise((r) => setTimeout(r, 100))
  if (!done()) throw new Error('timed out')
}
