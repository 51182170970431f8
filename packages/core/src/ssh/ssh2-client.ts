/**
 * ssh2's Client class, loaded on its own. The package's index also loads its
 * server, key generator and HTTP agents, and with them Node's http, https
 * and tls: ~16 ms of every deploy's start-up on the machine measured
 * (bench/README.md, "ssh2's client alone"), for code guix-ops never runs.
 * The build bundles that client into one file beside the engine's bundle
 * (bundle.mjs): finding and loading its ~26 modules one by one cost ~15 ms
 * more. That file is used only while it was built from the ssh2 installed
 * now; otherwise, and where the engine runs from its sources (tests), the
 * package's own files are. ssh2 declares no "exports", so they are
 * reachable by path; should a later version close them, the index is loaded.
 */
import { fileURLToPath } from 'node:url'
import type { Client } from 'ssh2'
import { bundledFile, versionIn } from '../bundled-file.js'

type ClientClass = typeof Client

// A name in a variable: @types/ssh2 describes the package's index only.
const CLIENT_FILE = 'ssh2/lib/client.js'

/** The bundled client's URL, when the build made one from the ssh2 installed now. */
export function bundledClient(): string | undefined {
  const bundled = bundledFile('ssh2-client.cjs')
  if (!bundled) return undefined
  let installed: string
  try {
    installed = fileURLToPath(import.meta.resolve('ssh2/package.json'))
  } catch {
    return undefined
  }
  return bundled.version === versionIn(installed) ? bundled.url : undefined
}

let loaded: Promise<ClientClass> | undefined

export function loadSshClient(): Promise<ClientClass> {
  loaded ??= (import(bundledClient() ?? CLIENT_FILE) as Promise<{ default: ClientClass }>).then(
    (mod) => mod.default,
    async () => (await import('ssh2')).Client,
  )
  return loaded
}
