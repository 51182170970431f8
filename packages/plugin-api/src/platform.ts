/**
 * The platform contract: what provides the computer a machine runs on.
 *
 * A platform creates, powers and removes machines and tells the core how to
 * reach them over SSH. It knows nothing of what runs on them (that is the
 * system driver's job). Read this file top to bottom to write one; start from
 * `guix-ops platform:new <name>`.
 *
 * Rules:
 * - `resource` is plain JSON that the platform owns. The core persists it in
 *   state after `provision` and passes it back to every later call, so store
 *   everything needed to find the machine again (ids, paths, ports).
 * - Every method is called with a `PluginContext`; honour `ctx.signal`.
 * - Fail with `GuixOpsError` so the user reads a code and the place at fault.
 * - A method the platform cannot do is left out and its capability flag
 *   false: the core then reports "platform X cannot stop", never a no-op.
 */
import type { PluginContext } from './context.js'
import type { SshEndpoint } from './deployment.js'
import type { JsonObject, JsonValue } from './json.js'
import type { StandardSchemaV1 } from './schema.js'
import type { PlannedChange } from './system.js'
import type { ApiVersion } from './version.js'

/** What `status` may answer. */
export type PlatformStatus = 'not-created' | 'stopped' | 'starting' | 'up' | 'unreachable' | 'unknown'

export const PLATFORM_STATUSES: readonly PlatformStatus[] = [
  'not-created',
  'stopped',
  'starting',
  'up',
  'unreachable',
  'unknown',
]

/** What a platform can do beyond provision, status, ssh and destroy. */
export interface PlatformCapabilities {
  start?: boolean
  stop?: boolean
  reboot?: boolean
  /** False for platforms that do not own the machine (an existing host). */
  destroy?: boolean
  /** A serial or text console the user can read. */
  console?: boolean
}

export type PlatformCapability = keyof PlatformCapabilities

/** A machine as `provision` sees it: its name and its validated options. */
export interface ProvisionRequest<Options, Resource extends JsonObject> {
  name: string
  options: Options
  /** The resource from the last provision, if any: provision must be idempotent. */
  existing?: Resource
}

export interface ProvisionResult<Resource extends JsonObject> {
  resource: Resource
  /** The address other machines of the deployment use to reach this one. */
  address: string
  /** Facts other machines' functions read (`db.outputs.instanceId`); recorded in state, so never secrets. */
  outputs?: JsonObject
}

/**
 * An option of an existing machine that the config now gives another value
 * than the machine was made with (or last changed to).
 */
export interface OptionChange {
  /** The option as users write it: `instanceType`, `rootVolume`. */
  option: string
  from: JsonValue
  to: JsonValue
  /**
   * `deploy`: the next deploy changes it in place, and `detail` says what
   * that does to the machine (`stops and starts the machine`).
   * `recreate`: it cannot change on this machine; only `destroy` then
   * `deploy` of the machine applies it, and nothing changes until then.
   */
  applies: 'deploy' | 'recreate'
  detail?: string
  /** For `recreate`: the platform's own error code that says so. */
  code?: string
}

export interface PlatformDefinition<Options = unknown, Resource extends JsonObject = JsonObject> {
  /** The `type` users write in `platform: { type: ... }`. */
  name: string
  /** The contract version this platform was written for: `API_VERSION`. */
  apiVersion: ApiVersion
  description?: string
  /** Validates `platform` options; issue paths name the offending field. */
  options: StandardSchemaV1<unknown, Options>
  capabilities: PlatformCapabilities

  /** Creates the machine, or finds it again from `existing`. Runs on every deploy. */
  provision(ctx: PluginContext, request: ProvisionRequest<Options, Resource>): Promise<ProvisionResult<Resource>>
  /** Where the machine is; cheap, called often, must not change anything. */
  status(ctx: PluginContext, resource: Resource): Promise<PlatformStatus>
  /** How to reach the machine over SSH; called when status is `up`. */
  ssh(ctx: PluginContext, resource: Resource): Promise<SshEndpoint>
  start?(ctx: PluginContext, resource: Resource): Promise<void>
  stop?(ctx: PluginContext, resource: Resource): Promise<void>
  reboot?(ctx: PluginContext, resource: Resource): Promise<void>
  /** Removes the machine and every file the platform made for it. */
  destroy?(ctx: PluginContext, resource: Resource): Promise<void>
  /**
   * For `deploy --dry-run` of a machine not created yet: what `provision`
   * would create, one change each. It must create nothing (a cloud may check
   * permissions with its own dry-run call). Left out, the machine is listed
   * as one change.
   */
  plan?(ctx: PluginContext, request: ProvisionRequest<Options, Resource>): Promise<PlannedChange[]>
  /**
   * How the options now differ from those `existing` was made with, one
   * change per option (optional; left out, option changes go unreported).
   * It reads only its argument and contacts nothing: the core calls it
   * before each deploy of an existing machine (warning of what needs
   * re-creating), for `deploy --dry-run`, `check` and `info`. `provision`
   * must then apply the `deploy` changes, and only those.
   */
  optionChanges?(request: Required<ProvisionRequest<Options, Resource>>): OptionChange[]
}

/** Identity helper: returns its argument; exists for types and completion. */
export function definePlatform<Options, Resource extends JsonObject = JsonObject>(
  platform: PlatformDefinition<Options, Resource>,
): PlatformDefinition<Options, Resource> {
  return platform
}
