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
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { Client } from 'ssh2'

type ClientClass = typeof Client

// A name in a variable: @types/ssh2 describes the package's index only.
const CLIENT_FILE = 'ssh2/lib/client.js'

const versionIn = (file: string): unknown => {
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown }).version
  } catch {
    return undefined
  }
}

/** The bundled client's URL, when the build made one from the ssh2 installed now. */
export function bundledClient(): string | undefined {
  let dir: string
  let installed: string
  try {
    // The engine's own entry, bundle/index.js, wherever this code itself was bundled to.
    dir = path.dirname(fileURLToPath(import.meta.resolve('@guix-ops/core')))
    installed = fileURLToPath(import.meta.resolve('ssh2/package.json'))
  } catch {
    return undefined
  }
  const file = path.join(dir, 'ssh2-client.cjs')
  if (!existsSync(file)) return undefined
  const version = versionIn(path.join(dir, 'ssh2-client.json'))
  return version !== undefined && version === versionIn(installed) ? pathToFileURL(file).href : undefined
}

let loaded: Promise<ClientClass> | undefined

export function loadSshClient(): Promise<ClientClass> {
  loaded ??= (import(bundledClient() ?? CLIENT_FILE) as Promise<{ default: ClientClass }>).then(
    (mod) => mod.default,
    async () => (await import('ssh2')).Client,
  )
  return loaded
}
