/**
 * AWS's errors, as the SDK throws them (the error's `name` is EC2's error
 * code: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html),
 * turned into guix-ops errors that name the machine, what was being done and
 * AWS's own code, with what to do about it.
 */
import type { GuixOpsError } from '@guix-ops/plugin-api'
import { Ec2Error, type Ec2ErrorCode, ec2Error } from './errors.js'

interface Kind {
  code: Ec2ErrorCode
  suggestion: string
}

const AUTH: Kind = {
  code: Ec2Error.Auth,
  suggestion: 'check the AWS credentials (AWS_PROFILE, `aws sso login`, AWS_ACCESS_KEY_ID) and the system clock',
}
const DENIED: Kind = {
  code: Ec2Error.Denied,
  suggestion: 'grant the IAM permissions listed in the ec2 plugin README to these credentials',
}
const QUOTA: Kind = {
  code: Ec2Error.Quota,
  suggestion: 'ask for a higher limit in the Service Quotas console, or remove unused resources',
}
const CAPACITY: Kind = {
  code: Ec2Error.Capacity,
  suggestion: 'try another instance type, or a subnet in another availability zone, or later',
}
const THROTTLED: Kind = { code: Ec2Error.Throttled, suggestion: 'AWS is throttling this account: run it again later' }
const IMAGE: Kind = { code: Ec2Error.Image, suggestion: 'check the ami option and amiOwners, and the region' }
const INVALID: Kind = {
  code: Ec2Error.Invalid,
  suggestion: 'check the ids in the platform options exist in this region',
}
const IN_USE: Kind = {
  code: Ec2Error.InUse,
  suggestion: 'something outside guix-ops still uses it; remove that, then run destroy again',
}

const KINDS: Record<string, Kind> = {
  AuthFailure: AUTH,
  InvalidClientTokenId: AUTH,
  SignatureDoesNotMatch: AUTH,
  ExpiredToken: AUTH,
  RequestExpired: AUTH,
  CredentialsProviderError: AUTH,
  OptInRequired: AUTH,
  UnauthorizedOperation: DENIED,
  AccessDenied: DENIED,
  InstanceLimitExceeded: QUOTA,
  VcpuLimitExceeded: QUOTA,
  AddressLimitExceeded: QUOTA,
  SecurityGroupLimitExceeded: QUOTA,
  ResourceLimitExceeded: QUOTA,
  MaxSpotInstanceCountExceeded: QUOTA,
  RulesPerSecurityGroupLimitExceeded: QUOTA,
  InsufficientInstanceCapacity: CAPACITY,
  InsufficientCapacity: CAPACITY,
  InsufficientFreeAddressesInSubnet: CAPACITY,
  Unsupported: CAPACITY,
  RequestLimitExceeded: THROTTLED,
  Throttling: THROTTLED,
  ThrottlingException: THROTTLED,
  'InvalidAMIID.NotFound': IMAGE,
  'InvalidAMIID.Malformed': IMAGE,
  'InvalidAMIID.Unavailable': IMAGE,
  DependencyViolation: IN_USE,
  'InvalidIPAddress.InUse': IN_USE,
  InvalidParameterValue: INVALID,
  InvalidParameterCombination: INVALID,
  MissingParameter: INVALID,
  UnknownParameter: INVALID,
  'InvalidSubnetID.NotFound': INVALID,
  'InvalidVpcID.NotFound': INVALID,
  'InvalidGroup.NotFound': INVALID,
  'InvalidKeyPair.NotFound': INVALID,
  InvalidInstanceType: INVALID,
  InvalidInstanceAttributeValue: INVALID,
  IdempotentParameterMismatch: {
    code: Ec2Error.Invalid,
    suggestion: 'the machine was launched with other options: destroy it first to change its image or type',
  },
}

const OTHER: Kind = { code: Ec2Error.Aws, suggestion: 'see the AWS error code in the EC2 API reference' }

/** AWS's error code of an SDK error: its `name` (`Code` in older SDK releases). */
export function awsCode(error: unknown): string {
  const e = error as { name?: unknown; Code?: unknown }
  if (typeof e?.Code === 'string') return e.Code
  return typeof e?.name === 'string' ? e.name : 'UnknownError'
}

/** `ec2: machine "web": RunInstances failed: AWS said InstanceLimitExceeded: ...` */
export function fromAws(error: unknown, what: string, machine: string): GuixOpsError {
  const code = awsCode(error)
  const kind = KINDS[code] ?? OTHER
  const said = error instanceof Error && error.message ? error.message : 'no message'
  return ec2Error(kind.code, `ec2: machine "${machine}": ${what} failed: AWS said ${code}: ${said}`, {
    machine,
    suggestion: kind.suggestion,
    cause: error,
  })
}
