// The launch token (the ClientToken saved before RunInstances) against the
// loopback endpoint: a token file cut short or emptied by a crash must never
// make a retried deploy launch a second instance.
import { randomUUID } from 'node:crypto'
import { readdir, stat, writeFile } from 'node:fs/promises'
import { EC2Client, TerminateInstancesCommand } from '@aws-sdk/client-ec2'
import { type TestContext, testContext } from '@guix-ops/platform-test-kit'
import ec2, { type Ec2Options, ec2Options } from '@guix-ops/plugin-ec2'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { type Ec2Endpoint, ec2ModelUnavailable, ec2TestEnv, startEc2Endpoint } from '../../support/ec2/index.js'
import { sshdUnavailable } from '../../support/sshd.js'

const unavailable = ec2ModelUnavailable() ?? sshdUnavailable()
if (unavailable) console.warn(`skipping the ec2 launch token tests: ${unavailable}`)

const options = async (): Promise<Ec2Options> => {
  const parsed = await ec2Options['~standard'].validate({ region: 'us-east-1', user: 'root', bootTimeout: 60 })
  if (parsed.issues) throw new Error(JSON.stringify(parsed.issues))
  return parsed.value
}

describe.skipIf(unavailable !== undefined)('ec2 launch token', () => {
  let endpoint: Ec2Endpoint
  let sdk: EC2Client
  const contexts: TestContext[] = []
  const context = (machine: string) => {
    const ctx = testContext(machine)
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

  it('is written whole, 0600, with no temp file left beside it', async () => {
    const ctx = context('web')
    const { resource } = await ec2.provision(ctx, { name: 'web', options: await options() })
    expect(await readdir(ctx.stateDir)).toEqual(['client-token'])
    expect((await stat(`${ctx.stateDir}/client-token`)).mode & 0o777).toBe(0o600)
    expect(resource.clientToken).toMatch(/^guix-ops-[0-9a-f-]{36}$/)
  })

  for (const [what, text] of [
    ['cut short', 'guix-ops-1b4e28ba-2fa1-11d2'],
    ['empty', ''],
  ] as const) {
    it(`${what}, with no instance to be found: a clear error, and nothing launched`, async () => {
      const ctx = context('web')
      await writeFile(`${ctx.stateDir}/client-token`, text, { mode: 0o600 })
      const before = endpoint.world.calls.length
      const error = await ec2.provision(ctx, { name: 'web', options: await options() }).catch((e) => e)
      expect(error).toMatchObject({ code: 'E_EC2_TOKEN', where: { machine: 'web', plugin: 'ec2' } })
      expect(error.message).toContain(`${ctx.stateDir}/client-token`)
      expect(endpoint.world.calls.slice(before)).not.toContain('RunInstances')
      expect(live()).toHaveLength(0)
    })
  }

  it('cut short after its launch: the instance is found by its tags, never a second one', async () => {
    const ctx = context('web')
    const first = await ec2.provision(ctx, { name: 'web', options: await options() })
    await writeFile(`${ctx.stateDir}/client-token`, first.resource.clientToken.slice(0, 20))
    const again = await ec2.provision(ctx, { name: 'web', options: await options() })
    expect(again.resource.instanceId).toBe(first.resource.instanceId)
    expect(live()).toHaveLength(1)
  })
})
