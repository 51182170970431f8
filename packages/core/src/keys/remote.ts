/** Keys on the host, over the machine's SSH session (through sudo when the login user is not root). */
import { GuixOpsError, type RemoteHost } from '@guix-ops/plugin-api'
import { ErrorCode } from '../codes.js'
import {
  ACCOUNTS_SCRIPT,
  FOREIGN_SCRIPT,
  REMOVE_SCRIPT,
  SHEPHERD_SCRIPT,
  STATUS_SCRIPT,
  UNIT_SCRIPT,
  WRITE_SCRIPT,
} from './scripts.js'

/** What the host has at a key's path. */
export type HostKey = { present: false } | { present: true; hash: string; owner: string; mode: string }

const script = (text: string, ...args: string[]) => ['sh', '-c', text, 'guix-ops-key', ...args]

/** How the write script says the key's path holds a file guix-ops did not write. */
const FOREIGN_EXIT = 4

type ExecResult = Awaited<ReturnType<RemoteHost['exec']>>

function succeeded(result: ExecResult, machine: string, what: string): string {
  if (result.code === 0) return result.stdout
  const why = result.stderr.trim().split('\n').slice(-3).join(' | ') || `exit ${result.code ?? 'by signal'}`
  throw new GuixOpsError(ErrorCode.KeyUpload, `machine "${machine}": ${what} failed: ${why}`, {
    where: { machine },
  })
}

async function must(host: RemoteHost, machine: string, what: string, argv: string[]): Promise<string> {
  return succeeded(await host.exec(argv, {}), machine, what)
}

/** The salted hash, owner and mode of each file, or that it is missing. */
export async function hostKeys(
  host: RemoteHost,
  machine: string,
  files: { path: string; salt: string }[],
): Promise<HostKey[]> {
  if (files.length === 0) return []
  const out = await must(
    host,
    machine,
    'reading its keys',
    script(STATUS_SCRIPT, ...files.flatMap((f) => [f.salt, f.path])),
  )
  return out
    .trim()
    .split('\n')
    .map((line): HostKey => {
      const [hash, owner, mode] = line.split(' ')
      if (hash === 'missing' || !owner || !mode) return { present: false }
      return { present: true, hash: hash!, owner, mode: mode.padStart(4, '0') }
    })
}

/** Refuses, before anything is written, keys whose user or group the host does not have. */
export async function requireAccounts(
  host: RemoteHost,
  machine: string,
  keys: { name: string; user: string; group: string }[],
): Promise<void> {
  if (keys.length === 0) return
  const missing = await must(
    host,
    machine,
    'looking up key owners',
    script(ACCOUNTS_SCRIPT, ...keys.map((k) => `${k.user}:${k.group}`)),
  )
  const lines = missing.trim().split('\n').filter(Boolean)
  if (lines.length === 0) return
  const named = keys.filter((k) => lines.includes(`user ${k.user}`) || lines.includes(`group ${k.group}`))
  throw new GuixOpsError(
    ErrorCode.KeyOwner,
    `machine "${machine}", key${named.length > 1 ? 's' : ''} ${named.map((k) => `"${k.name}"`).join(', ')}: the host has no ${[...new Set(lines)].join(', ')}`,
    {
      where: { machine, path: `machines.${machine}.keys.${named[0]?.name ?? ''}` },
      suggestion: "create it first, or upload the key with uploadAt: 'post-activation' if the deploy creates it",
    },
  )
}

/** The error for a key whose path holds a file guix-ops did not write. */
function foreignFile(machine: string, name: string, file: string): GuixOpsError {
  return new GuixOpsError(
    ErrorCode.KeyExists,
    `machine "${machine}", key "${name}": ${file} exists and was not written by guix-ops; no key was sent`,
    {
      where: { machine, path: `machines.${machine}.keys.${name}` },
      suggestion: 'choose another destDir or key name; guix-ops overwrites and removes only the keys it wrote',
    },
  )
}

/**
 * Refuses, before anything is written, keys whose path holds a file guix-ops
 * did not write. `ours` names keys whose file is, by its hash, the one the
 * state says guix-ops wrote there: the host lists them if it did not yet.
 */
export async function refuseForeignFiles(
  host: RemoteHost,
  machine: string,
  keys: { name: string; destDir: string }[],
  ours: ReadonlySet<string>,
): Promise<void> {
  if (keys.length === 0) return
  const args = keys.flatMap((k) => [keyPath(k), ours.has(k.name) ? 'yes' : 'no'])
  const out = await must(host, machine, 'looking at key paths', script(FOREIGN_SCRIPT, ...args))
  const first = out.trim().split('\n').filter(Boolean)[0]
  const key = keys.find((k) => keyPath(k) === first)
  if (first && key) throw foreignFile(machine, key.name, first)
}

export async function writeKey(
  host: RemoteHost,
  machine: string,
  key: { name: string; destDir: string; user: string; group: string; permissions: string; value: Uint8Array },
): Promise<void> {
  const args = [key.destDir, key.name, key.user, key.group, key.permissions]
  // One round trip: the Shepherd service and the systemd unit follow in the same script, with their own arguments.
  const both = `${WRITE_SCRIPT}\nset -- "$2" "$1/$2"\n${SHEPHERD_SCRIPT}\n${UNIT_SCRIPT}`
  const argv = script(both, ...args)
  // The script checks again what refuseForeignFiles checked: the host may have changed in between.
  const result = await host.exec(argv, { stdin: key.value })
  if (result.code === FOREIGN_EXIT) throw foreignFile(machine, key.name, keyPath(key))
  succeeded(result, machine, `writing key "${key.name}"`)
}

/**
 * Removes a key's file, if guix-ops wrote it; with `unit`, also its systemd
 * unit (the key left the config). False when the file was left alone.
 */
export async function removeKey(
  host: RemoteHost,
  machine: string,
  name: string,
  file: string,
  unit: boolean,
): Promise<boolean> {
  const argv = script(REMOVE_SCRIPT, name, file, unit ? 'yes' : 'no')
  return (await must(host, machine, `removing key "${name}"`, argv)).trim() !== 'kept'
}

export const keyPath = (key: { destDir: string; name: string }): string => `${key.destDir}/${key.name}`
