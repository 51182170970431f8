/**
 * Error codes the core raises. Stable: scripts match on them and the README
 * lists them. Plugins use their own codes, prefixed with their name.
 */
export const ErrorCode = {
  // config
  ConfigNotFound: 'E_CONFIG_NOT_FOUND',
  ConfigLoad: 'E_CONFIG_LOAD',
  ConfigTimeout: 'E_CONFIG_TIMEOUT',
  ConfigInvalid: 'E_CONFIG_INVALID',
  ConfigField: 'E_CONFIG_FIELD',
  DeploymentNotInConfig: 'E_DEPLOYMENT_NOT_IN_CONFIG',
  UnknownPlatform: 'E_UNKNOWN_PLATFORM',
  UnknownSystem: 'E_UNKNOWN_SYSTEM',
  PlatformOption: 'E_PLATFORM_OPTION',
  SystemOption: 'E_SYSTEM_OPTION',
  SharedHost: 'E_SHARED_HOST',
  /** A driver's `validate` failed without saying why in its own code. */
  SystemValidate: 'E_SYSTEM_VALIDATE',
  // graph
  DependencyCycle: 'E_DEPENDENCY_CYCLE',
  MissingDependency: 'E_MISSING_DEPENDENCY',
  MachineFunction: 'E_MACHINE_FUNCTION',
  // state
  StateCorrupt: 'E_STATE_CORRUPT',
  StateForeign: 'E_STATE_FOREIGN',
  StateTooNew: 'E_STATE_TOO_NEW',
  StateInvalid: 'E_STATE_INVALID',
  StateIo: 'E_STATE_IO',
  StateLocked: 'E_STATE_LOCKED',
  NotLocked: 'E_NOT_LOCKED',
  // deployments
  DeploymentNotFound: 'E_DEPLOYMENT_NOT_FOUND',
  DeploymentExists: 'E_DEPLOYMENT_EXISTS',
  DeploymentRequired: 'E_DEPLOYMENT_REQUIRED',
  DeploymentLive: 'E_DEPLOYMENT_LIVE',
  MachinesRunning: 'E_MACHINES_RUNNING',
  MachineState: 'E_MACHINE_STATE',
  StartTimeout: 'E_START_TIMEOUT',
  ConfirmationRequired: 'E_CONFIRMATION_REQUIRED',
  Cancelled: 'E_CANCELLED',
  InvalidName: 'E_INVALID_NAME',
  ImportInvalid: 'E_IMPORT_INVALID',
  // plugins
  PluginManifest: 'E_PLUGIN_MANIFEST',
  PluginApiVersion: 'E_PLUGIN_API_VERSION',
  PluginLoad: 'E_PLUGIN_LOAD',
  PluginContract: 'E_PLUGIN_CONTRACT',
  PluginConflict: 'E_PLUGIN_CONFLICT',
  PluginInstall: 'E_PLUGIN_INSTALL',
  ScaffoldTarget: 'E_SCAFFOLD_TARGET',
  // deployment keys (secrets)
  /** A key's `file` cannot be read, or its `command` failed. */
  KeySource: 'E_KEY_SOURCE',
  /** A key's owner or group does not exist on the host. */
  KeyOwner: 'E_KEY_OWNER',
  /** Writing or removing a key on the host failed. */
  KeyUpload: 'E_KEY_UPLOAD',
  // usage
  Usage: 'E_USAGE',
} as const

export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode]
