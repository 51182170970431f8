/**
 * Brings a host's keys in line with the config: sends each key the host
 * lacks or holds another value, owner or mode of (and only those: a rotated
 * key is the only one sent again), removes keys that left the config, and
 * returns what the state records of them: salted hashes, never values.
 */
import type { RemoteHost } from '@guix-ops/plugin-api'
import type { KeyRecord } from '../state/index.js'
import { keyDigest, newSalt } from './digest.js'
import { type HostKey, hostKeys, keyPath, refuseForeignFiles, removeKey, requireAccounts, writeKey } from './remote.js'
import type { LoadedKey } from './sources.js'

/** Which keys a pass handles: those uploaded before activation, after it, or all of them. */
export type KeyStage = 'pre-activation' | 'post-activation' | 'all'

export interface KeySyncResult {
  records: Record<string, KeyRecord>
  sent: string[]
  removed: string[]
}

export interface KeySyncInput {
  host: RemoteHost
  machine: string
  keys: LoadedKey[]
  recorded: Record<string, KeyRecord> | undefined
  stage: KeyStage
  /** Progress for people: names and paths only. */
  report: (message: string) => void
}

/** Whether what the host has is this key, with this owner and mode. */
export function isCurrent(found: HostKey | undefined, key: LoadedKey, salt: string): boolean {
  if (!found?.present) return false
  return (
    found.hash === keyDigest(salt, key.value) &&
    found.owner === `${key.user}:${key.group}` &&
    Number.parseInt(found.mode, 8) === Number.parseInt(key.permissions, 8)
  )
}

function recordOf(key: LoadedKey, salt: string, uploadedAt: string): KeyRecord {
  return {
    path: keyPath(key),
    hash: keyDigest(salt, key.value),
    salt,
    user: key.user,
    group: key.group,
    permissions: key.permissions,
    uploadAt: key.uploadAt,
    uploadedAt,
  }
}

/** The keys of a pass that the host lacks or holds otherwise, with the salt each is hashed with. */
export async function staleKeys(input: Omit<KeySyncInput, 'report'>): Promise<{
  wanted: LoadedKey[]
  stale: LoadedKey[]
  salts: Map<string, string>
  /** Keys whose file on the host is the one the state recorded at that path (same hash). */
  recordedOnHost: Set<string>
}> {
  const { host, machine, recorded = {} } = input
  const wanted = input.keys.filter((k) => input.stage === 'all' || k.uploadAt === input.stage)
  const salts = new Map(wanted.map((k) => [k.name, recorded[k.name]?.salt ?? newSalt()]))
  const found = await hostKeys(
    host,
    machine,
    wanted.map((k) => ({ path: keyPath(k), salt: salts.get(k.name)! })),
  )
  const recordedOnHost = new Set(
    wanted
      .filter((k, i) => {
        const record = recorded[k.name]
        const there = found[i]
        return record?.path === keyPath(k) && there?.present === true && there.hash === record.hash
      })
      .map((k) => k.name),
  )
  const stale = wanted.filter((k, i) => !isCurrent(found[i], k, salts.get(k.name)!))
  return { wanted, stale, salts, recordedOnHost }
}

export async function syncKeys(input: KeySyncInput): Promise<KeySyncResult> {
  const { host, machine, recorded = {} } = input
  const { wanted, stale, salts, recordedOnHost } = await staleKeys(input)
  await requireAccounts(host, machine, stale)
  await refuseForeignFiles(host, machine, stale, recordedOnHost)
  const records: Record<string, KeyRecord> = { ...recorded }
  const now = new Date().toISOString()
  for (const key of stale) {
    input.report(`sending key ${key.name} to ${keyPath(key)}`)
    await writeKey(host, machine, key)
    records[key.name] = recordOf(key, salts.get(key.name)!, now)
  }
  for (const key of wanted) records[key.name] ??= recordOf(key, salts.get(key.name)!, now)
  const removed = await removeLeftovers(input, records)
  return { records, sent: stale.map((k) => k.name), removed }
}

/** Keys that left the config, and old paths of keys that moved; only in a pass that sees every key. */
async function removeLeftovers(input: KeySyncInput, records: Record<string, KeyRecord>): Promise<string[]> {
  if (input.stage === 'post-activation') return []
  const removed: string[] = []
  const names = new Set(input.keys.map((k) => k.name))
  for (const [name, record] of Object.entries(input.recorded ?? {})) {
    const now = input.keys.find((k) => k.name === name)
    if (now && keyPath(now) === record.path) continue
    input.report(`removing key ${name} from ${record.path}`)
    const gone = await removeKey(input.host, input.machine, name, record.path, !names.has(name))
    if (!gone) input.report(`left ${record.path} alone: guix-ops did not write it`)
    if (!names.has(name)) {
      delete records[name]
      removed.push(name)
    }
  }
  return removed
}
