/** One way to raise the qemu platform's errors (declared in codes.ts) with the machine named. */
import { GuixOpsError } from '@guix-ops/plugin-api'
import { QemuError } from './codes.js'

export { QemuError }

export function qemuError(
  code: (typeof QemuError)[keyof typeof QemuError],
  message: string,
  options: { machine?: string; suggestion?: string; cause?: unknown } = {},
): GuixOpsError {
  return new GuixOpsError(code, message, {
    where: { plugin: 'qemu', ...(options.machine ? { machine: options.machine } : {}) },
    ...(options.suggestion ? { suggestion: options.suggestion } : {}),
    ...(options.cause ? { cause: options.cause } : {}),
  })
}
