// The loopback EC2 endpoint itself, driven by the real AWS SDK and by hand:
// it reads requests and writes answers through AWS's own model, pages,
// lags like EC2, keeps launches idempotent by ClientToken, and throttles.
import {
  DescribeInstancesCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  ImportKeyPairCommand,
  ModifyInstanceAttributeCommand,
  RunInstancesCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Ec2Endpoint, ec2ModelUnavailable, ec2TestEnv, IMAGES, startEc2Endpoint } from '../../support/ec2/index.js'
import { loadEc2Model } from '../../support/ec2/model.js'
import { writeResponse } from '../../support/ec2/xml.js'
import { sshdUnavailable } from '../../support/sshd.js'

const unavailable = ec2ModelUnavailable() ?? sshdUnavailable()
if (unavailable) console.warn(`skipping the loopback EC2 endpoint tests: ${unavailable}`)

describe.skipIf(unavailable !== undefined)('loopback EC2 endpoint', () => {
  let endpoint: Ec2Endpoint
  let client: EC2Client
  const post = (body: string) =>
    fetch(endpoint.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: 'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/ec2/aws4_request',
      },
      body,
    }).then(async (r) => ({ status: r.status, text: await r.text() }))

  beforeAll(async () => {
    endpoint = await startEc2Endpoint({ transitionMs: 50 })
    const env = ec2TestEnv(endpoint.url)
    client = new EC2Client({
      endpoint: env.AWS_ENDPOINT_URL_EC2,
      region: env.AWS_REGION,
      credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID!, secretAccessKey: env.AWS_SECRET_ACCESS_KEY! },
      maxAttempts: 4,
    })
  })
  afterAll(async () => {
    client?.destroy()
    await endpoint?.stop()
  })

  it('refuses to be used at any address but loopback', () => {
    expect(() => ec2TestEnv('https://ec2.us-east-1.amazonaws.com')).toThrow(/not a loopback URL/)
    expect(() => ec2TestEnv(undefined)).toThrow(/not a loopback URL/)
    expect(() => ec2TestEnv('http://10.0.0.1:4566')).toThrow(/not a loopback URL/)
  })

  it("refuses what AWS's model does not have: unknown actions, unknown or missing parameters, wrong types", async () => {
    const v = 'Version=2016-11-15'
    expect((await post(`Action=DescribeInstances&${v}&Bogus=1`)).text).toContain('<Code>UnknownParameter</Code>')
    expect((await post(`Action=LaunchRocket&${v}`)).text).toContain('<Code>InvalidAction</Code>')
    const missing = await post(`Action=RunInstances&${v}&ImageId=${IMAGES[0]!.id}&MinCount=1`)
    expect(missing.status).toBe(400)
    expect(missing.text).toContain('<Code>MissingParameter</Code>')
    expect(missing.text).toContain('MaxCount')
    expect((await post(`Action=RunInstances&${v}&MinCount=one&MaxCount=1`)).text).toContain('InvalidParameterValue')
    expect((await post(`Action=RunInstances&${v}&MinCount=1&MaxCount=1&InstanceType=t9.huge`)).text).toContain(
      'InvalidParameterValue',
    )
    // Lists are `Name.N` in the ec2 protocol, never `Name.member.N`.
    expect((await post(`Action=DescribeInstances&${v}&InstanceId.member.1=i-1`)).text).toContain('UnknownParameter')
    const unsigned = await fetch(endpoint.url, { method: 'POST', body: `Action=DescribeInstances&${v}` })
    expect(await unsigned.text()).toContain('<Code>AuthFailure</Code>')
  })

  it('cannot answer with what the model does not have: an unknown member, a missing required one, a wrong type', () => {
    const model = loadEc2Model()
    expect(() => writeResponse(model, 'DescribeInstances', { Bogus: 1 }, 'r')).toThrow(/no member Bogus/)
    expect(() => writeResponse(model, 'DescribeInstances', { Reservations: [{ OwnerId: 5 }] }, 'r')).toThrow(
      /OwnerId: 5 is not a string/,
    )
    const badState = { Reservations: [{ Instances: [{ State: { Name: 'sleeping' } }] }] }
    expect(() => writeResponse(model, 'DescribeInstances', badState, 'r')).toThrow(/sleeping is not in its enum/)
    expect(() => writeResponse(model, 'RebootInstances', { Return: true }, 'r')).toThrow(/has no output/)
  })

  it("answers in EC2's namespace, and the SDK reads it", async () => {
    const raw = await post('Action=DescribeSecurityGroups&Version=2016-11-15')
    expect(raw.text).toMatch(
      /^<\?xml[^>]*>\n<DescribeSecurityGroupsResponse xmlns="http:\/\/ec2\.amazonaws\.com\/doc\/2016-11-15\/"><requestId>/,
    )
    const groups = await client.send(new DescribeSecurityGroupsCommand({}))
    expect(groups.SecurityGroups).toEqual([])
  })

  it('launches once per ClientToken, lags like EC2, pages with NextToken', async () => {
    const key = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIC8Qe6qTQS8rXn9F6VQm0ZpPOzXkO0w2L8y3bH1oQn3a test'
    await client.send(new ImportKeyPairCommand({ KeyName: 'k', PublicKeyMaterial: new TextEncoder().encode(key) }))
    const run = (token: string) =>
      client.send(
        new RunInstancesCommand({
          ImageId: IMAGES[0]!.id,
          InstanceType: 't3.micro',
          MinCount: 1,
          MaxCount: 1,
          KeyName: 'k',
          ClientToken: token,
        }),
      )
    const first = await run('token-a')
    const again = await run('token-a')
    const other = await run('token-b')
    const id = first.Instances![0]!.InstanceId!
    expect(again.Instances![0]!.InstanceId).toBe(id)
    expect(other.Instances![0]!.InstanceId).not.toBe(id)
    expect(first.Instances![0]!.State?.Name).toBe('pending')

    // Just launched: the first Describe does not know it yet; the next one does.
    await expect(client.send(new DescribeInstancesCommand({ InstanceIds: [id] }))).rejects.toMatchObject({
      name: 'InvalidInstanceID.NotFound',
    })
    const seen = await client.send(new DescribeInstancesCommand({ InstanceIds: [id] }))
    expect(seen.Reservations![0]!.Instances![0]!.InstanceId).toBe(id)

    // The other one was never described yet: missing the first time, there the next.
    expect((await client.send(new DescribeInstancesCommand({}))).Reservations).toHaveLength(1)
    endpoint.world.pageSize = 1
    const page1 = await client.send(new DescribeInstancesCommand({}))
    expect(page1.Reservations).toHaveLength(1)
    expect(page1.NextToken).toBeDefined()
    const page2 = await client.send(new DescribeInstancesCommand({ NextToken: page1.NextToken! }))
    expect(page2.Reservations).toHaveLength(1)
    expect(page2.NextToken).toBeUndefined()
    endpoint.world.pageSize = 1000
    await client.send(new TerminateInstancesCommand({ InstanceIds: [id, other.Instances![0]!.InstanceId!] }))
  })

  it('throttles on request, and the SDK retries it', async () => {
    endpoint.world.throttle('DescribeSecurityGroups', 2)
    const before = endpoint.world.calls.length
    await client.send(new DescribeSecurityGroupsCommand({}))
    expect(endpoint.world.calls.slice(before)).toEqual(Array(3).fill('DescribeSecurityGroups'))
    endpoint.world.throttle('DescribeSecurityGroups', 10)
    await expect(client.send(new DescribeSecurityGroupsCommand({}))).rejects.toMatchObject({
      name: 'RequestLimitExceeded',
    })
    endpoint.world.throttle('DescribeSecurityGroups', 0)
  })

  it('changes the instance type of a stopped instance only, refusing a running one as EC2 does', async () => {
    const made = await client.send(new RunInstancesCommand({ ImageId: IMAGES[0]!.id, MinCount: 1, MaxCount: 1 }))
    const id = made.Instances![0]!.InstanceId!
    const instance = endpoint.world.instances.get(id)!
    await until(() => instance.state === 'running')
    const modify = () =>
      client.send(new ModifyInstanceAttributeCommand({ InstanceId: id, InstanceType: { Value: 't3.small' } }))
    await expect(modify()).rejects.toMatchObject({ name: 'IncorrectInstanceState' })
    expect(instance.instanceType).toBe('m1.small')
    const v = 'Version=2016-11-15'
    const bogus = await post(`Action=ModifyInstanceAttribute&${v}&InstanceId=${id}&InstanceType.Bogus=x`)
    expect(bogus.text).toContain('<Code>UnknownParameter</Code>')

    await client.send(new StopInstancesCommand({ InstanceIds: [id] }))
    await until(() => instance.state === 'stopped')
    await modify()
    expect(instance.instanceType).toBe('t3.small')
    await client.send(new TerminateInstancesCommand({ InstanceIds: [id] }))
  })
})

async function until(ready: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !ready(); i++) await new Promise((r) => setTimeout(r, 25))
  if (!ready()) throw new Error('timed out')
}
