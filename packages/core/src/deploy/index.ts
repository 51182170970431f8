export {
  describeMismatch,
  type GenerationMismatch,
  generationMismatch,
  withHostGeneration,
} from './host-generation.js'
export { type MachineOptionChange, optionChanges } from './option-changes.js'
export { DEFAULT_PARALLEL } from './parallel.js'
export { pluginContext, removeMachineFiles } from './plugin-context.js'
export { recordedResults } from './recorded-results.js'
export { type DeploymentRun, runDeployment } from './run.js'
export { schedule } from './scheduler.js'
export { selectMachines } from './select.js'
export { StateWriter } from './state-writer.js'
export type {
  DeployEvent,
  DeployOptions,
  DeployStep,
  DeploySummary,
  MachineOutcome,
  MachineOutcomeStatus,
} from './types.js'
export { validOptions } from './validate-options.js'
