/** The lxc platform's error codes, and one way to raise them with the machine named. */
import { GuixOpsError } from '@guix-ops/plugin-api'

export const LxcError = {
  NotInstalled: 'E_LXC_NOT_INSTALLED',
  HostSetup: 'E_LXC_HOST_SETUP',
  Mirror: 'E_LXC_MIRROR',
  Base: 'E_LXC_BASE',
  BaseUnknown: 'E_LXC_BASE_UNKNOWN',
  Clone: 'E_LXC_CLONE',
  Start: 'E_LXC_START',
  Boot: 'E_LXC_BOOT',
  Mount: 'E_LXC_MOUNT',
  Ports: 'E_LXC_PORTS',
  Network: 'E_LXC_NETWORK',
  Unprivileged: 'E_LXC_UNPRIVILEGED',
  NotCreated: 'E_LXC_NOT_CREATED',
} as const

export type LxcErrorCode = (typeof LxcError)[keyof typeof LxcError]

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
