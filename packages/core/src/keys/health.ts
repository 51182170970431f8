/**
 * What `check` says of a machine's keys: which ones the host lacks (after
 * a reboot, until `upload-keys`), and which ones it holds another value,
 * owner or mode of than the config gives now (stale: rotate with a deploy
 * or `upload-keys`). Only salted hashes cross the wire.
 */
import type { MachineSpec, RemoteHost } from '@guix-ops/plugin-api'
import type { KeyRecord } from '../state/index.js'
import { newSalt } from './digest.js'
import { withoutKeys } from './machine-keys.js'
import { hostKeys, keyPath } from './remote.js'
import { isCurrent } from './sync.js'

export interface KeyHealth {
  missing: string[]
  stale: string[]
}

export async function keyHealth(
  host: RemoteHost,
  machine: string,
  spec: MachineSpec,
  recorded: Record<string, KeyRecord> | undefined,
  configDir: string,
): Promise<KeyHealth | undefined> {
  const { keys } = await withoutKeys(machine, spec, configDir, undefined)
  if (keys.length === 0) return undefined
  const salts = keys.map((k) => recorded?.[k.name]?.salt ?? newSalt())
  const found = await hostKeys(
    host,
    machine,
    keys.map((k, i) => ({ path: keyPath(k), salt: salts[i]! })),
  )
  const health: KeyHealth = { missing: [], stale: [] }
  keys.forEach((key, i) => {
    if (!found[i]?.present) health.missing.push(key.name)
    else if (!isCurrent(found[i], key, salts[i]!)) health.stale.push(key.name)
  })
  return health
}
