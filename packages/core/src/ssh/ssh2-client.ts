/**
 * ssh2's Client class, loaded on its own. The package's index also loads its
 * server, key generator and HTTP agents, and with them Node's http, https
 * and tls: ~16 ms of every deploy's start-up on the machine measured
 * (bench/README.md, "ssh2's client alone"), for code guix-ops never runs.
 * ssh2 declares no "exports", so its files are reachable by path; should a
 * later version close them, the index is loaded as before.
 */
import type { Client } from 'ssh2'

type ClientClass = typeof Client

// A name in a variable: @types/ssh2 describes the package's index only.
const CLIENT_FILE = 'ssh2/lib/client.js'

let loaded: Promise<ClientClass> | undefined

export function loadSshClient(): Promise<ClientClass> {
  loaded ??= (import(CLIENT_FILE) as Promise<{ default: ClientClass }>).then(
    (mod) => mod.default,
    async () => (await import('ssh2')).Client,
  )
  return loaded
}
