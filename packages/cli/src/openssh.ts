/**
 * The command line for OpenSSH's `ssh` to one machine, trusting only the
 * keys pinned in state: a known_hosts file guix-ops writes, with
 * StrictHostKeyChecking=yes. A machine behind a jump host is reached through
 * it with a ProxyCommand (`ssh -W`) that is held to the jump host's own
 * pinned key; `-J` would not do, since options given on the command line do
 * not apply to the jump host's connection.
 */
import { type MachineAccess, shellQuote } from '@guix-ops/core'

/** Names the keys are filed under (HostKeyAlias), so no address or port can match the wrong line. */
const MACHINE_ALIAS = 'guix-ops-machine'
const JUMP_ALIAS = 'guix-ops-jump'

/** The known_hosts file: the machine's pinned key, and its jump host's. */
export function knownHosts(access: MachineAccess): string {
  const lines = [`${MACHINE_ALIAS} ${access.hostKey}`]
  if (access.endpoint.jump) lines.push(`${JUMP_ALIAS} ${access.jumpHostKey}`)
  return `${lines.join('\n')}\n`
}

/** Options that make `ssh` trust only `knownHostsFile`, under `alias`. */
function pinnedTo(knownHostsFile: string, alias: string): string[] {
  return [
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    `UserKnownHostsFile=${knownHostsFile}`,
    '-o',
    'GlobalKnownHostsFile=/dev/null',
    '-o',
    `HostKeyAlias=${alias}`,
    '-o',
    'CheckHostIP=no',
  ]
}

function identity(privateKeyPath: string | undefined): string[] {
  return privateKeyPath ? ['-i', privateKeyPath, '-o', 'IdentitiesOnly=yes'] : []
}

/**
 * The ProxyCommand that reaches the machine through its jump host. OpenSSH
 * runs it with the user's shell after expanding `%` tokens, so each word is
 * quoted for the shell and its `%` doubled; only `%h` and `%p` are tokens.
 */
function proxyCommand(access: MachineAccess, knownHostsFile: string): string {
  const jump = access.endpoint.jump!
  const words = [
    'ssh',
    ...pinnedTo(knownHostsFile, JUMP_ALIAS),
    '-p',
    String(jump.port),
    '-l',
    jump.user,
    ...identity(jump.privateKeyPath),
  ].map((word) => shellQuote(word).replaceAll('%', '%%'))
  return [...words, '-W', "'[%h]:%p'", '--', shellQuote(jump.host).replaceAll('%', '%%')].join(' ')
}

/** Arguments of `ssh` for an interactive login to the machine. */
export function opensshArgs(access: MachineAccess, knownHostsFile: string): string[] {
  const { endpoint } = access
  return [
    ...pinnedTo(knownHostsFile, MACHINE_ALIAS),
    ...(endpoint.jump ? ['-o', `ProxyCommand=${proxyCommand(access, knownHostsFile)}`] : []),
    '-p',
    String(endpoint.port),
    '-l',
    endpoint.user,
    ...identity(endpoint.privateKeyPath),
    '--',
    endpoint.host,
  ]
}
