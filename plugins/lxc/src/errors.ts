/** One way to raise the lxc platform's errors (declared in codes.ts) with the machine named. */
import { GuixOpsError } from '@guix-ops/plugin-api'
import { LxcError, type LxcErrorCode } from './codes.js'

export { LxcError, type LxcErrorCode }

export function lxcError(
  code: LxcErrorCode,
  message: string,
  options: { machine?: string; suggestion?: string; cause?: unknown } = {},
): GuixOpsError {
  return new GuixOpsError(code, message, {
    where: { plugin: 'lxc', ...(options.machine ? { machine: options.machine } : {}) },
    ...(options.suggestion ? { suggestion: options.suggestion } : {}),
    ...(options.cause ? { cause: options.cause } : {}),
  })
}
