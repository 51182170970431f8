export { leaseHostNumber, releaseHostNumber } from './address-leases.js'
export type { AptSource } from './apt-sources.js'
export { aptSources } from './apt-sources.js'
export { syncDirectory, TEMP_MARKER, writeFileAtomic } from './atomic-write.js'
export type { Logger, PluginContext, ProgressReporter, SecretStore } from './context.js'
export type {
  ConfigDefinition,
  DeploymentDefinition,
  KeySpec,
  MachineDefinition,
  MachineFactory,
  MachineResult,
  MachineResults,
  MachineSpec,
  MultiDeploymentConfig,
  PlatformRef,
  SshEndpoint,
  SshJumpHost,
  SystemRef,
} from './deployment.js'
export { defineConfig, defineDeployment, defineMachine } from './deployment.js'
export type { DeploymentKeyPair } from './deployment-key.js'
export { makeDeploymentKeyPair, sshKeygen } from './deployment-key.js'
export type { ErrorCodeDoc, ErrorCodeInfo } from './error-codes.js'
export { describeErrorCodes } from './error-codes.js'
export type { ErrorJson, ErrorLocation, GuixOpsErrorOptions } from './errors.js'
export { GuixOpsError, isGuixOpsError } from './errors.js'
export type {
  DeploymentSummary,
  HookPlugin,
  LifecycleHookName,
  LifecycleHooks,
  MachineEvent,
} from './hooks.js'
export { defineHooks, LIFECYCLE_HOOKS } from './hooks.js'
export type { JsonObject, JsonPrimitive, JsonValue } from './json.js'
export type { LineSplitter } from './lines.js'
export { lineSplitter } from './lines.js'
export type { PluginManifest } from './manifest.js'
export type {
  OptionChange,
  PlatformCapabilities,
  PlatformCapability,
  PlatformDefinition,
  PlatformStatus,
  ProvisionRequest,
  ProvisionResult,
} from './platform.js'
export { definePlatform, PLATFORM_STATUSES } from './platform.js'
export type { StandardSchemaV1 } from './schema.js'
export { sshAnswers } from './ssh-answers.js'
export type {
  Drift,
  ExecOptions,
  ExecResult,
  Generation,
  PlannedChange,
  RemoteHost,
  SystemContext,
  SystemDefinition,
  SystemPlan,
  Validation,
  ValidationContext,
} from './system.js'
export { defineSystem } from './system.js'
export type { ApiVersion } from './version.js'
export { API_VERSION } from './version.js'
export type { WaitCheck, WaitOptions } from './wait.js'
export { pause, waitUntil } from './wait.js'
