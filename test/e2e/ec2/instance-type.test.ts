// A new instanceType given to provision directly, against the loopback
// endpoint, from the states a user may leave an instance in: stopped by
// `guix-ops stop`, or running. EC2 refuses the change on anything but a
// stopped instance (IncorrectInstanceState); guix-ops must never be refused.
import ec2 from '@guix-ops/plugin-ec2'
import { describe, expect, it } from 'vitest'
import { ec2InProcess, ec2TestOptions } from '../../support/ec2/in-process.js'
import { ec2ModelUnavailable } from '../../support/ec2/index.js'
import { sshdUnavailable } from '../../support/sshd.js'

const unavailable = ec2ModelUnavailable() ?? sshdUnavailable()
if (unavailable) console.warn(`skipping the ec2 instance type tests: ${unavailable}`)

describe.skipIf(unavailable !== undefined)('ec2 instance type changed by provision', () => {
  const at = ec2InProcess()

  for (const stoppedFirst of [false, true]) {
    it(`from a ${stoppedFirst ? 'stopped' : 'running'} instance: changed, running again, never refused`, async () => {
      const ctx = at.context('web')
      const first = await ec2.provision(ctx, { name: 'web', options: await ec2TestOptions() })
      if (stoppedFirst) await ec2.stop!(ctx, first.resource)
      const faults = at.endpoint.world.faults.length
      const calls = at.endpoint.world.calls.length
      const again = await ec2.provision(ctx, {
        name: 'web',
        options: await ec2TestOptions({ instanceType: 't3.large' }),
        existing: first.resource,
      })
      const instance = at.endpoint.world.instances.get(first.resource.instanceId)!
      expect(again.resource.instanceId).toBe(first.resource.instanceId)
      expect(instance.instanceType).toBe('t3.large')
      expect(again.resource.madeWith?.instanceType).toBe('t3.large')
      expect(await ec2.status(ctx, again.resource)).toBe('up')
      expect(at.endpoint.world.faults.slice(faults)).toEqual([])
      const acted = at.endpoint.world.calls.slice(calls).filter((a) => !/^(Describe|GetConsoleOutput)/.test(a))
      expect(acted).toEqual([...(stoppedFirst ? [] : ['StopInstances']), 'ModifyInstanceAttribute', 'StartInstances'])
      expect(ctx.messages).toContain(`info: instance ${instance.id} changed from t3.micro to t3.large`)

      // Run again with the same options: nothing is stopped.
      const before = at.endpoint.world.calls.length
      await ec2.provision(ctx, {
        name: 'web',
        options: await ec2TestOptions({ instanceType: 't3.large' }),
        existing: again.resource,
      })
      expect(at.endpoint.world.calls.slice(before)).not.toContain('StopInstances')
    })
  }

  it('state written before the record of what an instance was made with: a new type is still applied', async () => {
    const ctx = at.context('web')
    const first = await ec2.provision(ctx, { name: 'web', options: await ec2TestOptions() })
    // As an older state file reads: no madeWith key at all.
    const { madeWith: _, ...old } = first.resource
    const again = await ec2.provision(ctx, {
      name: 'web',
      options: await ec2TestOptions({ instanceType: 't3.large' }),
      existing: old as typeof first.resource,
    })
    const instance = at.endpoint.world.instances.get(first.resource.instanceId)!
    expect(again.resource.instanceId).toBe(first.resource.instanceId)
    expect(instance.instanceType).toBe('t3.large')
    expect(again.resource.madeWith?.instanceType).toBe('t3.large')
    expect(await ec2.status(ctx, again.resource)).toBe('up')
  })

  it('an instance found again by its tags, without a saved resource: a new type is still applied', async () => {
    const ctx = at.context('web')
    const first = await ec2.provision(ctx, { name: 'web', options: await ec2TestOptions() })
    const again = await ec2.provision(ctx, { name: 'web', options: await ec2TestOptions({ instanceType: 't3.large' }) })
    const instance = at.endpoint.world.instances.get(first.resource.instanceId)!
    expect(again.resource.instanceId).toBe(first.resource.instanceId)
    expect(instance.instanceType).toBe('t3.large')
    expect(again.resource.madeWith?.instanceType).toBe('t3.large')
  })
})
