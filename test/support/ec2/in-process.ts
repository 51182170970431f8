/**
 * For tests that call the ec2 plugin in process: the loopback endpoint, an
 * SDK client on it, machine contexts (one deployment per test unless a
 * machine shares another's), and after each test every live instance
 * terminated and every context removed. Call inside a `describe`.
 */
import { randomUUID } from 'node:crypto'
import { EC2Client, TerminateInstancesCommand } from '@aws-sdk/client-ec2'
import { type TestContext, testContext } from '@guix-ops/platform-test-kit'
import { type Ec2Options, ec2Options } from '@guix-ops/plugin-ec2'
import { afterAll, afterEach, beforeAll } from 'vitest'
import { type Ec2Endpoint, ec2TestEnv, startEc2Endpoint } from './index.js'
import type { Instance } from './world.js'

/** The plugin's options as a config would give them, validated, with `extra` on top. */
export async function ec2TestOptions(extra: Record<string, unknown> = {}): Promise<Ec2Options> {
  const parsed = await ec2Options['~standard'].validate({
    region: 'us-east-1',
    user: 'root',
    bootTimeout: 60,
    ...extra,
  })
  if (parsed.issues) throw new Error(JSON.stringify(parsed.issues))
  return parsed.value
}

export interface Ec2InProcess {
  readonly endpoint: Ec2Endpoint
  readonly sdk: EC2Client
  context(machine: string, share?: TestContext): TestContext
  /** Instances neither terminated nor on their way there. */
  live(): Instance[]
}

export function ec2InProcess(): Ec2InProcess {
  let endpoint: Ec2Endpoint | undefined
  let sdk: EC2Client | undefined
  const contexts: TestContext[] = []
  const at: Ec2InProcess = {
    get endpoint() {
      if (!endpoint) throw new Error('the ec2 endpoint is not started yet')
      return endpoint
    },
    get sdk() {
      if (!sdk) throw new Error('the ec2 endpoint is not started yet')
      return sdk
    },
    context(machine, share) {
      const ctx = testContext(machine)
      const deployment = share?.deployment ?? { id: randomUUID(), name: 'shop' }
      Object.assign(ctx, { deployment, ...(share ? { deploymentDir: share.deploymentDir } : {}) })
      contexts.push(ctx)
      return ctx
    },
    live: () => [...at.endpoint.world.instances.values()].filter((i) => !/terminated|shutting-down/.test(i.state)),
  }
  beforeAll(async () => {
    endpoint = await startEc2Endpoint({ transitionMs: 100 })
    Object.assign(process.env, ec2TestEnv(endpoint.url))
    sdk = new EC2Client({})
  })
  afterEach(async () => {
    if (endpoint) endpoint.world.onCall = undefined
    for (const i of at.live()) await at.sdk.send(new TerminateInstancesCommand({ InstanceIds: [i.id] }))
    for (const ctx of contexts.splice(0)) ctx.cleanup()
  })
  afterAll(async () => {
    sdk?.destroy()
    await endpoint?.stop()
  })
  return at
}
