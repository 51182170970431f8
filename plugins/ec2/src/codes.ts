/**
 * The ec2 platform's error codes, with what each means and what to do about
 * it: the one place they are declared. docs/errors.md is generated from them.
 */
import { describeErrorCodes, type ErrorCodeDoc } from '@guix-ops/plugin-api'

export const Ec2Error = {
  NoRegion: 'E_EC2_NO_REGION',
  Auth: 'E_EC2_AUTH',
  Denied: 'E_EC2_DENIED',
  Quota: 'E_EC2_QUOTA',
  Capacity: 'E_EC2_CAPACITY',
  Throttled: 'E_EC2_THROTTLED',
  Image: 'E_EC2_IMAGE',
  Invalid: 'E_EC2_INVALID',
  InUse: 'E_EC2_IN_USE',
  Timeout: 'E_EC2_TIMEOUT',
  Gone: 'E_EC2_GONE',
  Key: 'E_EC2_KEY',
  Token: 'E_EC2_TOKEN',
  Recreate: 'E_EC2_RECREATE',
  Aws: 'E_EC2_AWS',
} as const

export type Ec2ErrorCode = (typeof Ec2Error)[keyof typeof Ec2Error]

/** Every code above with what it means and what to do about it: what docs/errors.md lists. */
export const errorReference: readonly ErrorCodeDoc[] = describeErrorCodes('E_EC2_', Ec2Error, {
  NoRegion: {
    meaning: 'no region in the platform options nor in the AWS configuration',
    hint: 'set platform.region, or AWS_REGION, or a region in the AWS profile',
  },
  Auth: {
    meaning: 'no AWS credentials, or AWS refused them',
    hint: 'check the AWS credentials (AWS_PROFILE, `aws sso login`, AWS_ACCESS_KEY_ID) and the system clock',
  },
  Denied: {
    meaning: 'the AWS credentials lack an IAM permission',
    hint: 'grant the IAM permissions listed in the ec2 plugin README to these credentials',
  },
  Quota: {
    meaning: 'an AWS account limit was reached (instances, vCPUs, addresses, security groups)',
    hint: 'ask for a higher limit in the Service Quotas console, or remove unused resources',
  },
  Capacity: {
    meaning: 'AWS has no capacity for the instance type, or does not offer it in the zone',
    hint: 'try another instance type, or a subnet in another availability zone, or later',
  },
  Throttled: {
    meaning: 'AWS kept throttling the requests after every retry',
    hint: 'run it again later',
  },
  Image: {
    meaning: 'the `ami` option matches no image, or names one that does not exist',
    hint: 'check the ami option, amiOwners and the region',
  },
  Invalid: {
    meaning: 'AWS refused a value (an unknown subnet, security group or instance type)',
    hint: 'check the ids in the platform options exist in this region',
  },
  InUse: {
    meaning: 'a resource is still used by another (a security group with instances in it)',
    hint: 'take it out of what still uses it, then run destroy again',
  },
  Timeout: {
    meaning: 'the instance did not reach the state waited for in time',
    hint: 'look at the instance in the EC2 console; raise bootTimeout if it is only slow',
  },
  Gone: {
    meaning: 'the instance was terminated while being worked on',
    hint: "the message gives AWS's reason; run deploy to make a new one",
  },
  Key: {
    meaning: "the deployment's SSH key could not be made",
    hint: 'install openssh-client (ssh-keygen)',
  },
  Token: {
    meaning: "the machine's saved launch token is damaged (cut short by a crash) and no instance of it was found",
    hint: "look for the machine's instance by its guix-ops tags in the EC2 console; if none, remove the file named and deploy again",
  },
  Recreate: {
    meaning:
      'an option changed that an existing instance cannot take (ami, subnet, root volume, spot); it was left as it is',
    hint: 'to apply it, destroy the machine and deploy it again: a new instance, with its disks made anew',
  },
  Aws: {
    meaning: 'any other AWS error; its AWS code is in the message',
    hint: 'see the AWS error code in the EC2 API reference',
  },
})
