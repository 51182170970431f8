export { analyzeDeployment, type DeploymentAnalysis, type MachineSummary } from './analyze.js'
export { closest, describeValue } from './describe.js'
export { CONFIG_SEARCH_PLACES, type LoadedConfig, loadConfig } from './load.js'
export { type ConfigDeployment, DEPLOYMENT_NAME, type NormalizedConfig, normalizeConfig } from './normalize.js'
