// A new instanceType given to provision directly, against the loopback
// endpoint, from the states a user may leave an instance in: stopped by
// `guix-ops stop`, or running. EC2 refuses the change on anything but a
// stopped instance (IncorrectInstanceState); guix-ops must never be refused.
import { randomUUID } from 'node:crypto'
import { EC2Client, TerminateInstancesCommand } from '@aws-sdk/client-ec2'
import { type TestContext, testContext } from '@guix-ops/platform-test-kit'
import ec2, { type Ec2Options, ec2Options } from '@guix-ops/plugin-ec2'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { type Ec2Endpoint, ec2ModelUnavailable, ec2TestEnv, startEc2Endpoint } from '../../support/ec2/index.js'
import { sshdUnavailable } from '../../support/sshd.js'

const unavailable = ec2ModelUnavailable() ?? sshdUnavailable()
if (unavailable) console.warn(`skipping the ec2 instance type tests: ${unavailable}`)

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

describe.skipIf(unavailable !== undefined)('ec2 instance type changed by provision', () => {
  let endpoint: Ec2Endpoint
  let sdk: EC2Client
  const contexts: TestContext[] = []
  const context = () => {
    const ctx = testContext('web')
    Object.assign(ctx, { deployment: { id: randomUUID(), name: 'shop' } })
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
    for (const i of live()) await sdk.send(new TerminateInstancesCommand({ InstanceIds: [i.id] }))
    for (const ctx of contexts.splice(0)) ctx.cleanup()
  })
  afterAll(async () => {
    sdk?.destroy()
    await endpoint?.stop()
  })

  for (const stoppedFirst of [false, true]) {
    it(`from a ${stoppedFirst ? 'stopped' : 'running'} instance: changed, running again, never refused`, async () => {
      const ctx = context()
      const first = await ec2.provision(ctx, { name: 'web', options: await options() })
      if (stoppedFirst) await ec2.stop!(ctx, first.resource)
      const faults = endpoint.world.faults.length
      const calls = endpoint.world.calls.length
      const again = await ec2.provision(ctx, {
        name: 'web',
        options: await options({ instanceType: 't3.large' }),
        existing: first.resource,
      })
      const instance = endpoint.world.instances.get(first.resource.instanceId)!
      expect(again.resource.instanceId).toBe(first.resource.instanceId)
      expect(instance.instanceType).toBe('t3.large')
      expect(again.resource.madeWith?.instanceType).toBe('t3.large')
      expect(await ec2.status(ctx, again.resource)).toBe('up')
      expect(endpoint.world.faults.slice(faults)).toEqual([])
      const acted = endpoint.world.calls.slice(calls).filter((a) => !/^(Describe|GetConsoleOutput)/.test(a))
      expect(acted).toEqual([...(stoppedFirst ? [] : ['StopInstances']), 'ModifyInstanceAttribute', 'StartInstances'])
      expect(ctx.messages).toContain(`info: instance ${instance.id} changed from t3.micro to t3.large`)

      // Run again with the same options: nothing is stopped.
      const before = endpoint.world.calls.length
      await ec2.provision(ctx, {
        name: 'web',
        options: await options({ instanceType: 't3.large' }),
        existing: again.resource,
      })
      expect(endpoint.world.calls.slice(before)).not.toContain('StopInstances')
    })
  }
})
