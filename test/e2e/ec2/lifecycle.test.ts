// The ec2 platform's lifecycle paths against the loopback EC2 endpoint, in
// process: an interrupted provision, throttling, a security group still in
// use at destroy, an instance terminated behind guix-ops' back, two machines
// sharing the deployment's group, an elastic IP, and an AMI filter matching
// nothing. Every instance is a real sshd host on 127.0.0.N.
import { DescribeInstancesCommand, RunInstancesCommand, TerminateInstancesCommand } from '@aws-sdk/client-ec2'
import ec2 from '@guix-ops/plugin-ec2'
import { describe, expect, it } from 'vitest'
import { ec2InProcess, ec2TestOptions } from '../../support/ec2/in-process.js'
import { ec2ModelUnavailable, IMAGES } from '../../support/ec2/index.js'
import { sshdUnavailable } from '../../support/sshd.js'

const unavailable = ec2ModelUnavailable() ?? sshdUnavailable()
if (unavailable) console.warn(`skipping the ec2 lifecycle tests: ${unavailable}`)

describe.skipIf(unavailable !== undefined)('ec2 lifecycle against the loopback endpoint', () => {
  const at = ec2InProcess()

  it('an interrupted provision, run again, finds the instance it launched: never two', async () => {
    const ctx = at.context('web')
    const abort = new AbortController()
    const interrupted = { ...ctx, signal: abort.signal }
    at.endpoint.world.onCall = (action) => {
      if (action === 'RunInstances') abort.abort(new Error('interrupted'))
    }
    await expect(ec2.provision(interrupted, { name: 'web', options: await ec2TestOptions() })).rejects.toThrow(
      'interrupted',
    )
    at.endpoint.world.onCall = undefined
    expect(at.live()).toHaveLength(1)

    const again = await ec2.provision(ctx, { name: 'web', options: await ec2TestOptions() })
    expect(at.live().map((i) => i.id)).toEqual([again.resource.instanceId])
    expect(await ec2.status(ctx, again.resource)).toBe('up')

    // With its id and its launch token both lost, it is found again by its tags.
    const { rm } = await import('node:fs/promises')
    await rm(`${ctx.stateDir}/client-token`)
    const found = await ec2.provision(ctx, { name: 'web', options: await ec2TestOptions() })
    expect(found.resource.instanceId).toBe(again.resource.instanceId)
    expect(ctx.messages).toContain(`info: found instance ${again.resource.instanceId} by its guix-ops tags`)
    expect(at.live()).toHaveLength(1)
  })

  it('throttled calls are retried; throttled for good, the error names the machine and RequestLimitExceeded', async () => {
    const ctx = at.context('web')
    at.endpoint.world.throttle('RunInstances', 2)
    const before = at.endpoint.world.calls.length
    const made = await ec2.provision(ctx, { name: 'web', options: await ec2TestOptions() })
    expect(at.endpoint.world.calls.slice(before).filter((a) => a === 'RunInstances')).toHaveLength(3)
    expect(at.live().map((i) => i.id)).toEqual([made.resource.instanceId])

    at.endpoint.world.throttle('StopInstances', 10)
    const error = await ec2.stop!(ctx, made.resource).catch((e) => e)
    expect(error.message).toMatch(/^ec2: machine "web": StopInstances failed: AWS said RequestLimitExceeded/)
    expect(error).toMatchObject({ code: 'E_EC2_THROTTLED', where: { machine: 'web', plugin: 'ec2' } })
    at.endpoint.world.throttle('StopInstances', 0)
  })

  it('destroy with the group still in use by another instance: terminates ours, names the group and its user; again finishes', async () => {
    const ctx = at.context('web')
    const { resource } = await ec2.provision(ctx, { name: 'web', options: await ec2TestOptions() })
    const group = resource.createdGroupId!
    const foreign = await at.sdk.send(
      new RunInstancesCommand({ ImageId: IMAGES[0]!.id, MinCount: 1, MaxCount: 1, SecurityGroupIds: [group] }),
    )
    const foreignId = foreign.Instances![0]!.InstanceId!
    await at.sdk.send(new DescribeInstancesCommand({})) // an instance made a while ago, seen by now
    const error = await ec2.destroy!(ctx, resource).catch((e) => e)
    expect(error).toMatchObject({ code: 'E_EC2_IN_USE', where: { machine: 'web' } })
    expect(error.message).toContain(`security group ${group} is still used by ${foreignId}`)
    expect(await ec2.status(ctx, resource)).toBe('not-created')
    expect(at.endpoint.world.groups.has(group)).toBe(true)
    expect(at.endpoint.world.keyPairs.has(resource.createdKeyPair!)).toBe(true)

    await at.sdk.send(new TerminateInstancesCommand({ InstanceIds: [foreignId] }))
    await waitUntil(() => at.endpoint.world.instances.get(foreignId)!.state === 'terminated')
    await ec2.destroy!(ctx, resource)
    expect(at.endpoint.world.groups.has(group)).toBe(false)
    expect(at.endpoint.world.keyPairs.has(resource.createdKeyPair!)).toBe(false)
  })

  it('an instance terminated behind its back is not-created; provision makes a new one', async () => {
    const ctx = at.context('web')
    const first = await ec2.provision(ctx, { name: 'web', options: await ec2TestOptions() })
    await at.sdk.send(new TerminateInstancesCommand({ InstanceIds: [first.resource.instanceId] }))
    expect(await ec2.status(ctx, first.resource)).toBe('not-created')
    const second = await ec2.provision(ctx, { name: 'web', options: await ec2TestOptions(), existing: first.resource })
    expect(second.resource.instanceId).not.toBe(first.resource.instanceId)
    expect(second.resource.clientToken).not.toBe(first.resource.clientToken)
    expect(await ec2.status(ctx, second.resource)).toBe('up')
    expect(at.live().map((i) => i.id)).toEqual([second.resource.instanceId])
  })

  it("two machines share the deployment's group and key pair; each goes only with the last machine", async () => {
    const web = at.context('web')
    const db = at.context('db', web)
    const [a, b] = await Promise.all([
      ec2.provision(web, { name: 'web', options: await ec2TestOptions() }),
      ec2.provision(db, { name: 'db', options: await ec2TestOptions() }),
    ])
    expect(at.endpoint.world.keyPairs.has(`guix-ops-${web.deployment.id}`)).toBe(true)
    const groups = [...at.endpoint.world.groups.values()].filter((g) => g.name === `guix-ops-${web.deployment.id}`)
    expect(groups).toHaveLength(1)
    expect(a.resource.createdGroupId).toBe(groups[0]!.id)
    expect(b.resource.createdGroupId).toBe(groups[0]!.id)
    expect(groups[0]!.ingress).toEqual([{ protocol: 'tcp', from: 22, to: 22, cidr: '0.0.0.0/0' }])

    await ec2.destroy!(web, a.resource)
    expect(at.endpoint.world.groups.has(groups[0]!.id)).toBe(true)
    expect(await ec2.status(db, b.resource)).toBe('up')
    await ec2.destroy!(db, b.resource)
    expect(at.endpoint.world.groups.has(groups[0]!.id)).toBe(false)
    expect(at.endpoint.world.keyPairs.has(`guix-ops-${web.deployment.id}`)).toBe(false)
  })

  it('an elastic IP is where SSH answers; destroy releases it', async () => {
    const ctx = at.context('web')
    const { resource } = await ec2.provision(ctx, { name: 'web', options: await ec2TestOptions({ elasticIp: true }) })
    const eip = at.endpoint.world.addresses.get(resource.allocationId!)!
    expect(resource.publicIp).toBe(eip.publicIp)
    expect((await ec2.ssh(ctx, resource)).host).toBe(eip.publicIp)
    expect(await ec2.status(ctx, resource)).toBe('up')
    await ec2.destroy!(ctx, resource)
    expect(at.endpoint.world.addresses.size).toBe(0)
  })

  it('an AMI name matching nothing is an error naming the machine and field, and nothing is created', async () => {
    const ctx = at.context('web')
    const before = at.endpoint.world.calls.length
    const error = await ec2
      .provision(ctx, { name: 'web', options: await ec2TestOptions({ ami: 'debian-99-*' }) })
      .catch((e) => e)
    expect(error).toMatchObject({ code: 'E_EC2_IMAGE', where: { machine: 'web', path: 'platform.ami' } })
    expect(error.message).toContain('no image named "debian-99-*"')
    const made = at.endpoint.world.calls.slice(before).filter((a) => !a.startsWith('Describe'))
    expect(made).toEqual([])
  })
})

async function waitUntil(done: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !done(); i++) await new Promise((r) => setTimeout(r, 100))
  if (!done()) throw new Error('timed out')
}
