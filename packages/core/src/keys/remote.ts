/** Keys on the host, over the machine's SSH session (through sudo when the login user is not root). */
import { GuixOpsError, type RemoteHost } from '@guix-ops/plugin-api'
import { ErrorCode } from '../codes.js'
import { ACCOUNTS_SCRIPT, REMOVE_SCRIPT, STATUS_SCRIPT, UNIT_SCRIPT, WRITE_SCRIPT } from './scripts.js'

/** What the host has at a key's path. */
export type HostKey = { present: false } | { present: true; hash: string; owner: string; mode: string }

const script = (text: string, ...args: string[]) => ['sh', '-c', text, 'guix-ops-key', ...args]

async function must(host: RemoteHost, machine: string, what: string, argv: string[], stdin?: Uint8Array) {
  const result = await host.exec(argv, stdin ? { stdin } : {})
  if (result.code === 0) return result.stdout
  const why = result.stderr.trim().split('\n').slice(-3).join(' | ') || `exit ${result.code ?? 'by signal'}`
  throw new GuixOpsError(ErrorCode.KeyUpload, `machine "${machine}": ${what} failed: ${why}`, {
    where: { machine },
  })
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

export async function writeKey(
  host: RemoteHost,
  machine: string,
  key: { name: string; destDir: string; user: string; group: string; permissions: string; value: Uint8Array },
): Promise<void> {
  const args = [key.destDir, key.name, key.user, key.group, key.permissions]
  // One round trip: the unit follows in the same script, with its own arguments.
  const both = `${WRITE_SCRIPT}\nset -- "$2" "$1/$2"\n${UNIT_SCRIPT}`
  await must(host, machine, `writing key "${key.name}"`, script(both, ...args), key.value)
}

/** Removes a key's file; with `unit`, also its systemd unit (the key left the config). */
export async function removeKey(
  host: RemoteHost,
  machine: string,
  name: string,
  file: string,
  unit: boolean,
): Promise<void> {
  await must(host, machine, `removing key "${name}"`, script(REMOVE_SCRIPT, name, file, unit ? 'yes' : 'no'))
}

export const keyPath = (key: { destDir: string; name: string }): string => `${key.destDir}/${key.name}`
