/**
 * Keys in the deploy pipeline. A resolved machine gives up its keys before
 * any hook or plugin sees it; their values are read before anything remote
 * happens, then sent over the machine's SSH session before activation (and
 * after it, for keys owned by a user the deploy creates).
 */
import type { MachineDefinition, MachineSpec, PlannedChange, RemoteHost } from '@guix-ops/plugin-api'
import type { StateWriter } from '../deploy/state-writer.js'
import type { DeployEvent } from '../deploy/types.js'
import { keyPath } from './remote.js'
import { keyOptions } from './schema.js'
import { type LoadedKey, loadKeys } from './sources.js'
import { type KeyStage, staleKeys, syncKeys } from './sync.js'

/** The machine without its keys (what plugins and hooks see), and the keys with their values. */
export interface MachineWithKeys {
  spec: MachineSpec
  keys: LoadedKey[]
}

/** Reads the keys of every selected machine that is not a function, at once: a bad source stops the deploy before it starts. */
export async function preloadKeys(
  machines: Record<string, MachineDefinition>,
  selected: readonly string[],
  configDir: string,
): Promise<Map<string, LoadedKey[]>> {
  const loaded = new Map<string, LoadedKey[]>()
  for (const name of selected) {
    const definition = machines[name]
    if (definition === undefined || typeof definition === 'function' || !definition.keys) continue
    loaded.set(name, await loadKeys(name, keyOptions(definition.keys), configDir))
  }
  return loaded
}

/** Takes the keys out of a resolved machine, with values read now unless read up front. */
export async function withoutKeys(
  name: string,
  resolved: MachineSpec,
  configDir: string,
  preloaded: LoadedKey[] | undefined,
): Promise<MachineWithKeys> {
  const { keys, ...spec } = resolved
  return { spec, keys: preloaded ?? (await loadKeys(name, keyOptions(keys), configDir)) }
}

export interface KeyDeploy {
  name: string
  writer: StateWriter
  emit: (event: DeployEvent) => void
}

/** What a pass did: names of keys sent and removed, and the same as changes a deploy reports (paths, never values). */
export interface KeysDeployed {
  sent: string[]
  removed: string[]
  changes: PlannedChange[]
}

/** One pass of keys to a machine, recorded in state as hashes. */
export async function deployKeys(
  run: KeyDeploy,
  host: RemoteHost,
  keys: LoadedKey[],
  stage: KeyStage,
): Promise<KeysDeployed> {
  const recorded = run.writer.machine(run.name)?.keys
  if (keys.length === 0 && !recorded) return { sent: [], removed: [], changes: [] }
  const result = await syncKeys({
    host,
    machine: run.name,
    keys,
    recorded,
    stage,
    report: (message) => run.emit({ type: 'progress', machine: run.name, message }),
  })
  const changed = result.sent.length > 0 || result.removed.length > 0 || !recorded
  if (changed) {
    await run.writer.update(run.name, (m) => {
      const { keys: _old, ...rest } = m!
      return Object.keys(result.records).length > 0 ? { ...rest, keys: result.records } : rest
    })
  }
  const sentChanges = keys
    .filter((key) => result.sent.includes(key.name))
    .map(
      (key): PlannedChange => ({
        action: recorded?.[key.name] ? 'update' : 'create',
        subject: `key ${key.name}`,
        detail: keyPath(key),
      }),
    )
  const removedChanges = result.removed.map(
    (name): PlannedChange => ({ action: 'delete', subject: `key ${name}`, detail: recorded?.[name]?.path }),
  )
  return { sent: result.sent, removed: result.removed, changes: [...sentChanges, ...removedChanges] }
}

/** For a dry run: the keys a deploy would send and remove, read from the host without changing it. */
export async function plannedKeys(run: KeyDeploy, host: RemoteHost, keys: LoadedKey[]): Promise<PlannedChange[]> {
  const recorded = run.writer.machine(run.name)?.keys ?? {}
  if (keys.length === 0 && Object.keys(recorded).length === 0) return []
  const { stale } = await staleKeys({ host, machine: run.name, keys, recorded, stage: 'all' })
  const send = stale.map(
    (key): PlannedChange => ({
      action: recorded[key.name] ? 'update' : 'create',
      subject: `key ${key.name}`,
      detail: `${keyPath(key)}, ${key.user}:${key.group} ${key.permissions}, ${key.uploadAt}`,
    }),
  )
  const names = new Set(keys.map((k) => k.name))
  const remove = Object.entries(recorded)
    .filter(([name]) => !names.has(name))
    .map(([name, record]): PlannedChange => ({ action: 'delete', subject: `key ${name}`, detail: record.path }))
  return [...send, ...remove]
}
