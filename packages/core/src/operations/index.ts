export { type CheckReport, checkDeployment, type MachineCheck } from './check.js'
export { analyzeConfig, pickDeployment, readConfig, registryFor } from './config-source.js'
export type { EngineContext, EngineEvent } from './context.js'
export { createDeployment } from './create.js'
export { deleteDeployment } from './delete.js'
export { deleteGeneration } from './delete-generation.js'
export { deployDeployment } from './deploy.js'
export {
  type DestroyOptions,
  type DestroyOutcome,
  type DestroyResult,
  type DestroySummary,
  destroyMachines,
} from './destroy.js'
export { EXPORT_KIND, type ExportFormat, exportDeployment, importDeployment, writeExport } from './export-import.js'
export { type GenerationRow, listGenerations } from './generations.js'
export { findDeployment } from './lookup.js'
export { type MachineAccess, machineAccess, openSession, requirePinnedKeys } from './machine-session.js'
export { modifyDeployment } from './modify.js'
export { listPlatforms, type PlatformRow } from './platforms.js'
export { type PowerResult, startMachines, stopMachines } from './power.js'
export {
  type DeploymentInfo,
  type DeploymentListItem,
  deploymentInfo,
  listDeployments,
  type MachineInfo,
} from './query.js'
export { type RebootResult, rebootMachines } from './reboot.js'
export { type RollbackResult, rollbackDeployment } from './rollback.js'
export { toSexp } from './sexp.js'
export { resetHostKey } from './ssh-keys.js'
export { unlockDeployment } from './unlock.js'
export { type KeyUploadResult, uploadKeys } from './upload-keys.js'
