/** The ec2 platform's error codes, and one way to raise them with the machine named. */
import { GuixOpsError } from '@guix-ops/plugin-api'

export const Ec2Error = {
  /** No region in the options nor in the AWS configuration. */
  NoRegion: 'E_EC2_NO_REGION',
  /** No credentials, or AWS refused them. */
  Auth: 'E_EC2_AUTH',
  /** The credentials lack an IAM permission. */
  Denied: 'E_EC2_DENIED',
  /** An account limit (instances, vCPUs, addresses, groups). */
  Quota: 'E_EC2_QUOTA',
  /** No capacity for the instance type, or the type is not offered in the zone. */
  Capacity: 'E_EC2_CAPACITY',
  /** AWS kept throttling after every retry. */
  Throttled: 'E_EC2_THROTTLED',
  /** The AMI option matches no image, or names one that does not exist. */
  Image: 'E_EC2_IMAGE',
  /** A value AWS refused (an unknown subnet, group, type). */
  Invalid: 'E_EC2_INVALID',
  /** A resource still in use by another (a security group with instances in it). */
  InUse: 'E_EC2_IN_USE',
  /** The instance did not reach the state waited for in time. */
  Timeout: 'E_EC2_TIMEOUT',
  /** The instance went away (terminated) while being worked on. */
  Gone: 'E_EC2_GONE',
  /** The deployment's SSH key could not be made. */
  Key: 'E_EC2_KEY',
  /** Any other AWS error, its code given in the message. */
  Aws: 'E_EC2_AWS',
} as const

export type Ec2ErrorCode = (typeof Ec2Error)[keyof typeof Ec2Error]

export function ec2Error(
  code: Ec2ErrorCode,
  message: string,
  options: { machine?: string; suggestion?: string; cause?: unknown; path?: string } = {},
): GuixOpsError {
  return new GuixOpsError(code, message, {
    where: {
      plugin: 'ec2',
      ...(options.machine ? { machine: options.machine } : {}),
      ...(options.path ? { path: options.path } : {}),
    },
    ...(options.suggestion ? { suggestion: options.suggestion } : {}),
    ...(options.cause ? { cause: options.cause } : {}),
  })
}
