/** One way to raise the ec2 platform's errors (declared in codes.ts) with the machine named. */
import { GuixOpsError } from '@guix-ops/plugin-api'
import { Ec2Error, type Ec2ErrorCode } from './codes.js'

export { Ec2Error, type Ec2ErrorCode }

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
