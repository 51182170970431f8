export { writeFileAtomic } from './atomic-write.js'
export { parseStateDocument, serializeStateDocument } from './document.js'
export { FileStateStore } from './file-store.js'
export { heldLockFiles } from './lock.js'
export { migrate, migrations } from './migrations.js'
export { resolveStateDir } from './state-dir.js'
export type {
  DeploymentState,
  GenerationRecord,
  HeldLock,
  KeyRecord,
  LockInfo,
  MachineState,
  StateProblem,
  StateStore,
} from './types.js'
export { STATE_KIND, STATE_VERSION } from './types.js'
