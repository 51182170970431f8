export { analyzeDeployment, type DeploymentAnalysis, type MachineSummary } from './analyze.js'
export {
  DEFAULT_CONFIG_TIMEOUT_MS,
  type EvaluationDeadline,
  stopWatchdog,
  withinDeadline,
} from './deadline.js'
export { closest, describeValue } from './describe.js'
export { configEvaluationTimedOut } from './evaluation-errors.js'
export { CONFIG_SEARCH_PLACES, isScriptConfig, type LoadedConfig, loadConfig } from './load.js'
export { type ConfigDeployment, DEPLOYMENT_NAME, type NormalizedConfig, normalizeConfig } from './normalize.js'
