// Every AWS error the platform maps, through the real plugin and the real
// SDK client with its `send` mocked (aws-sdk-client-mock): no request leaves.
import {
  DescribeImagesCommand,
  DescribeInstancesCommand,
  EC2Client,
  EC2ServiceException,
  StopInstancesCommand,
} from '@aws-sdk/client-ec2'
import { testContext } from '@guix-ops/platform-test-kit'
import { mockClient } from 'aws-sdk-client-mock'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { ec2TestEnv } from '../../../test/support/ec2/index.js'
import ec2 from './index.js'
import type { Ec2Resource } from './resource.js'

// Should a call ever slip past the mock, it goes to a closed loopback port, never to AWS.
Object.assign(process.env, ec2TestEnv('http://127.0.0.1:9'))
const ec2Mock = mockClient(EC2Client)
afterEach(() => ec2Mock.reset())
afterAll(() => ec2Mock.restore())

const resource: Ec2Resource = {
  region: 'eu-west-1',
  instanceId: 'i-0123456789abcdef0',
  clientToken: 't',
  user: 'admin',
  address: 'public',
  privateIp: '10.0.0.5',
  publicIp: null,
  hostKey: null,
  createdGroupId: null,
  createdKeyPair: null,
  allocationId: null,
  identity: null,
  bootTimeout: 60,
  madeWith: null,
}

const awsError = (name: string, fault: 'client' | 'server' = 'client') =>
  new EC2ServiceException({ name, $fault: fault, $metadata: { httpStatusCode: 400 }, message: `${name} happened` })

const EXPECTED: Record<string, string> = {
  AuthFailure: 'E_EC2_AUTH',
  InvalidClientTokenId: 'E_EC2_AUTH',
  SignatureDoesNotMatch: 'E_EC2_AUTH',
  ExpiredToken: 'E_EC2_AUTH',
  RequestExpired: 'E_EC2_AUTH',
  CredentialsProviderError: 'E_EC2_AUTH',
  OptInRequired: 'E_EC2_AUTH',
  UnauthorizedOperation: 'E_EC2_DENIED',
  AccessDenied: 'E_EC2_DENIED',
  InstanceLimitExceeded: 'E_EC2_QUOTA',
  VcpuLimitExceeded: 'E_EC2_QUOTA',
  AddressLimitExceeded: 'E_EC2_QUOTA',
  SecurityGroupLimitExceeded: 'E_EC2_QUOTA',
  ResourceLimitExceeded: 'E_EC2_QUOTA',
  MaxSpotInstanceCountExceeded: 'E_EC2_QUOTA',
  RulesPerSecurityGroupLimitExceeded: 'E_EC2_QUOTA',
  InsufficientInstanceCapacity: 'E_EC2_CAPACITY',
  InsufficientCapacity: 'E_EC2_CAPACITY',
  InsufficientFreeAddressesInSubnet: 'E_EC2_CAPACITY',
  Unsupported: 'E_EC2_CAPACITY',
  RequestLimitExceeded: 'E_EC2_THROTTLED',
  Throttling: 'E_EC2_THROTTLED',
  ThrottlingException: 'E_EC2_THROTTLED',
  'InvalidAMIID.NotFound': 'E_EC2_IMAGE',
  'InvalidAMIID.Malformed': 'E_EC2_IMAGE',
  'InvalidAMIID.Unavailable': 'E_EC2_IMAGE',
  DependencyViolation: 'E_EC2_IN_USE',
  'InvalidIPAddress.InUse': 'E_EC2_IN_USE',
  InvalidParameterValue: 'E_EC2_INVALID',
  InvalidParameterCombination: 'E_EC2_INVALID',
  MissingParameter: 'E_EC2_INVALID',
  UnknownParameter: 'E_EC2_INVALID',
  'InvalidSubnetID.NotFound': 'E_EC2_INVALID',
  'InvalidVpcID.NotFound': 'E_EC2_INVALID',
  'InvalidGroup.NotFound': 'E_EC2_INVALID',
  'InvalidKeyPair.NotFound': 'E_EC2_INVALID',
  InvalidInstanceType: 'E_EC2_INVALID',
  IdempotentParameterMismatch: 'E_EC2_INVALID',
  SomethingNew: 'E_EC2_AWS',
}

describe('AWS errors become guix-ops errors naming the machine and the AWS code', () => {
  for (const [code, expected] of Object.entries(EXPECTED)) {
    it(`${code} -> ${expected}`, async () => {
      ec2Mock.on(StopInstancesCommand).rejects(awsError(code))
      const ctx = testContext('web')
      const error = await ec2.stop!(ctx, resource).catch((e) => e)
      ctx.cleanup()
      expect(error).toMatchObject({ code: expected, where: { plugin: 'ec2', machine: 'web' } })
      expect(error.message).toBe(`ec2: machine "web": StopInstances failed: AWS said ${code}: ${code} happened`)
      expect(error.suggestion).toBeTruthy()
    })
  }

  it('an AMI pattern matching nothing is E_EC2_IMAGE naming platform.ami, before anything is created', async () => {
    ec2Mock.on(DescribeImagesCommand).resolves({ Images: [] })
    ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [] })
    const ctx = testContext('web')
    const options = await ec2.options['~standard'].validate({ region: 'eu-west-1', ami: 'nothing-*' })
    if (options.issues) throw new Error('invalid')
    const error = await ec2.provision(ctx, { name: 'web', options: options.value }).catch((e) => e)
    ctx.cleanup()
    expect(error).toMatchObject({ code: 'E_EC2_IMAGE', where: { machine: 'web', path: 'platform.ami' } })
    // Only lookups were sent: DescribeInstances (is there one already?) and DescribeImages.
    const sent = ec2Mock.calls().map((c) => (c.args[0] as object).constructor.name)
    expect(new Set(sent)).toEqual(new Set(['DescribeInstancesCommand', 'DescribeImagesCommand']))
  })
})
