/** Where and how to reach a machine over SSH. */

export interface SshTarget {
  host: string
  port: number
  user: string
  /** Private key file; without one, the agent at SSH_AUTH_SOCK is used. */
  identity?: string
  /** Pinned host key (`ssh-ed25519 AAAA...`). Without one, the first key seen is reported for pinning. */
  hostKey?: string
  /** Run commands through `sudo -n` when `user` is not root. */
  sudo?: boolean
  /** Reach the target through this host (like `ssh -J`). */
  jump?: SshTarget
}

export interface SshOptions {
  /** Names for messages: `machine "db" of deployment "shop"`. */
  label?: { deployment?: string; machine?: string }
  /** Called with the key of a host that had none pinned, so the caller can pin it. */
  onFirstContact?: (hostKey: string, target: SshTarget) => void
  /** Milliseconds to wait for the connection and handshake (default 20 s). */
  readyTimeout?: number
  /** Seconds between keepalives (default 15); 3 missed answers end the connection. */
  keepaliveSeconds?: number
  signal?: AbortSignal
}

interface Endpoint {
  host: string
  port: number
  user: string
  privateKeyPath?: string
  sudo?: boolean
  jump?: Omit<Endpoint, 'jump' | 'sudo'>
}

/**
 * Where a platform says a machine is, with the keys to verify it against:
 * its own, and its jump host's when it is reached through one.
 */
export function endpointTarget(
  endpoint: Endpoint,
  hostKey: string | undefined,
  jumpHostKey?: string | undefined,
): SshTarget {
  return {
    host: endpoint.host,
    port: endpoint.port,
    user: endpoint.user,
    ...(endpoint.privateKeyPath ? { identity: endpoint.privateKeyPath } : {}),
    ...(hostKey ? { hostKey } : {}),
    ...(endpoint.sudo ? { sudo: true } : {}),
    ...(endpoint.jump ? { jump: endpointTarget(endpoint.jump, jumpHostKey) } : {}),
  }
}
