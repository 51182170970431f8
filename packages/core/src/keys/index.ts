export { keyDigest } from './digest.js'
export { type KeyHealth, keyHealth } from './health.js'
export {
  deployKeys,
  type KeysDeployed,
  type MachineWithKeys,
  plannedKeys,
  preloadKeys,
  withoutKeys,
} from './machine-keys.js'
export { type HostKey, hostKeys } from './remote.js'
export { checkKeys, KEY_NAME, type KeyOptions, keyOptions } from './schema.js'
export { type LoadedKey, loadKeys } from './sources.js'
export { isCurrent, type KeyStage, type KeySyncResult, syncKeys } from './sync.js'
