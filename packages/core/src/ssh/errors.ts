/** The errors of the SSH transport, each naming the host and, when known, the machine. */
import { GuixOpsError } from '@guix-ops/plugin-api'
import { ErrorCode } from '../codes.js'
import { fingerprint } from './host-key.js'
import type { SshOptions, SshTarget } from './target.js'

/** Which host of a connection: the machine itself, or the jump host it is reached through. */
export type HostRole = 'machine' | 'jump'

export function describeTarget(target: SshTarget, options: SshOptions = {}, role: HostRole = 'machine'): string {
  const machine = options.label?.machine ? `machine "${options.label.machine}" ` : ''
  const host = `(${target.user}@${target.host}:${target.port})`
  if (role === 'jump') return `the jump host ${host}${machine ? ` of ${machine.trimEnd()}` : ''}`
  return `${machine}${host}`
}

function where(options: SshOptions) {
  return {
    ...(options.label?.machine ? { machine: options.label.machine } : {}),
    ...(options.label?.deployment ? { deployment: options.label.deployment } : {}),
  }
}

/**
 * A presented host key that differs from the pinned one. The message itself
 * names the command that accepts a new key, since some commands (`check`,
 * `ssh-for-each`) show only the message of a machine's error.
 */
export function hostKeyChanged(
  target: SshTarget,
  options: SshOptions,
  pinned: string,
  presented: string,
  role: HostRole = 'machine',
): GuixOpsError {
  const d = options.label?.deployment ?? 'DEPLOYMENT'
  const m = options.label?.machine ?? 'MACHINE'
  const reset = `guix-ops ssh-keys reset -d ${d} ${m}${role === 'jump' ? ' --jump' : ''}`
  return new GuixOpsError(
    ErrorCode.SshHostKeyChanged,
    `host key of ${describeTarget(target, options, role)} has changed: pinned ${fingerprint(pinned)}, presented ${fingerprint(presented)} (${presented.split(' ')[0]}); nothing was sent to it. Someone may be intercepting the connection, or the host was reinstalled. Once you have checked the new key, accept it with "${reset}"`,
    {
      where: where(options),
      suggestion: `compare ${fingerprint(presented)} with "ssh-keygen -lf /etc/ssh/ssh_host_${keyFile(presented)}_key.pub" run on the host itself (its console, not over this network); if they match, run "${reset}", then deploy to pin the new key`,
    },
  )
}

/** The host key file's name part for a key type, as OpenSSH names them. */
function keyFile(key: string): string {
  const type = key.split(' ')[0] ?? ''
  if (type.startsWith('ecdsa')) return 'ecdsa'
  if (type.includes('rsa')) return 'rsa'
  return 'ed25519'
}

export function connectFailed(
  target: SshTarget,
  options: SshOptions,
  error: unknown,
  role: HostRole = 'machine',
): GuixOpsError {
  const message = error instanceof Error ? error.message : String(error)
  // ssh2 marks the stage that failed; the words of its message are not a contract.
  const auth = (error as { level?: unknown } | null)?.level === 'client-authentication'
  return new GuixOpsError(
    auth ? ErrorCode.SshAuth : ErrorCode.SshConnect,
    `cannot ${auth ? 'log in to' : 'connect to'} ${describeTarget(target, options, role)}: ${message}`,
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
