/** The errors of the SSH transport, each naming the host and, when known, the machine. */
import { GuixOpsError } from '@guix-ops/plugin-api'
import { fingerprint } from './host-key.js'
import type { SshOptions, SshTarget } from './target.js'

export const SshErrorCode = {
  Connect: 'E_SSH_CONNECT',
  Auth: 'E_SSH_AUTH',
  HostKeyChanged: 'E_SSH_HOST_KEY_CHANGED',
  Exec: 'E_SSH_EXEC',
  Transfer: 'E_SSH_TRANSFER',
  Sudo: 'E_SSH_SUDO',
} as const

export function describeTarget(target: SshTarget, options: SshOptions = {}): string {
  const machine = options.label?.machine ? `machine "${options.label.machine}" ` : ''
  return `${machine}(${target.user}@${target.host}:${target.port})`
}

function where(options: SshOptions) {
  return {
    ...(options.label?.machine ? { machine: options.label.machine } : {}),
    ...(options.label?.deployment ? { deployment: options.label.deployment } : {}),
  }
}

export function hostKeyChanged(
  target: SshTarget,
  options: SshOptions,
  pinned: string,
  presented: string,
): GuixOpsError {
  const d = options.label?.deployment ?? 'DEPLOYMENT'
  const m = options.label?.machine ?? 'MACHINE'
  return new GuixOpsError(
    SshErrorCode.HostKeyChanged,
    `host key of ${describeTarget(target, options)} has changed: pinned ${fingerprint(pinned)}, presented ${fingerprint(presented)} (${presented.split(' ')[0]}). Someone may be intercepting the connection, or the host was reinstalled`,
    {
      where: where(options),
      suggestion: `if the change is expected, run "guix-ops ssh-keys reset -d ${d} ${m}" to pin the new key on next contact`,
    },
  )
}

export function connectFailed(target: SshTarget, options: SshOptions, error: unknown): GuixOpsError {
  const message = error instanceof Error ? error.message : String(error)
  const auth = /authentication/i.test(message)
  return new GuixOpsError(
    auth ? SshErrorCode.Auth : SshErrorCode.Connect,
    `cannot ${auth ? 'log in to' : 'connect to'} ${describeTarget(target, options)}: ${message}`,
    {
      where: where(options),
      suggestion: auth
        ? `check that the key ${target.identity ?? 'from the SSH agent'} is authorized for ${target.user}`
        : 'check that the host is up, the address and port are right, and sshd is running',
      cause: error,
    },
  )
}

export function transportError(
  code: string,
  target: SshTarget,
  options: SshOptions,
  what: string,
  error: unknown,
): GuixOpsError {
  const message = error instanceof Error ? error.message : String(error)
  return new GuixOpsError(code, `${describeTarget(target, options)}: ${what}: ${message}`, {
    where: where(options),
    cause: error,
  })
}
