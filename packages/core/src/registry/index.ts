export { checkPlatform, checkSystem } from './contract.js'
export { type DiscoveryOptions, discoverPackages } from './discover.js'
export { readManifest } from './manifest.js'
export { PluginRegistry } from './registry.js'
export type {
  CliPlugin,
  HookEntry,
  PackageCandidate,
  PluginEntry,
  PluginKind,
  PluginProblem,
  PluginResolver,
  PluginSource,
} from './types.js'
export { SOURCE_ORDER } from './types.js'
