/**
 * Checks that a plugin module's default export satisfies the contract, so a
 * broken plugin fails by name at load time, not halfway through a deploy.
 * The checks are a zod schema; every problem is told at once.
 */
import {
  API_VERSION,
  GuixOpsError,
  type HookPlugin,
  type PlatformDefinition,
  type SystemDefinition,
} from '@guix-ops/plugin-api'
import type * as Zod from 'zod'
import { ErrorCode } from '../codes.js'
import type { HookEntry, PluginEntry } from './types.js'
import { zod } from './zod.js'

const REQUIRED: Record<PluginEntry['kind'], string[]> = {
  platform: ['provision', 'status', 'ssh'],
  system: ['plan', 'apply', 'check', 'generations', 'rollback'],
}

const CAPABILITY_METHODS = ['start', 'stop', 'reboot', 'destroy'] as const

const isFunction = (value: unknown): boolean => typeof value === 'function'
const isStandardSchema = (value: unknown): boolean =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as { '~standard'?: { validate?: unknown } })['~standard']?.validate === 'function'

/** Methods a platform claims in `capabilities`: each must then exist. */
function claimedMethods(def: Record<string, unknown>): string[] {
  const caps = def.capabilities
  if (typeof caps !== 'object' || caps === null) return []
  return CAPABILITY_METHODS.filter((method) => (caps as Record<string, unknown>)[method] === true)
}

/**
 * The contract of one entry as a zod schema, one message per field at fault.
 * Fields are listed in the order their problems are told.
 */
function contractSchema(entry: PluginEntry, def: Record<string, unknown>) {
  const z = zod()
  const method = (name: string, message = `method "${name}" is missing`) => z.custom(isFunction, { error: message })
  const shape: Record<string, Zod.ZodType> = {
    name: z.literal(entry.name, {
      error: (issue) => `its name is ${JSON.stringify(issue.input)} but package.json declares "${entry.name}"`,
    }),
    apiVersion: z.literal(API_VERSION, {
      error: (issue) => `apiVersion is ${JSON.stringify(issue.input)}, expected ${API_VERSION}`,
    }),
    options: z.custom(isStandardSchema, { error: '"options" is not a Standard Schema (zod, valibot, arktype...)' }),
  }
  for (const name of REQUIRED[entry.kind]) shape[name] = method(name)
  if (entry.kind === 'platform') {
    shape.capabilities = z.record(z.string(), z.unknown(), { error: '"capabilities" is missing' })
    for (const name of claimedMethods(def))
      shape[name] = method(name, `capability "${name}" is claimed but method "${name}" is missing`)
  }
  return z.looseObject(shape)
}

function contractProblems(entry: PluginEntry, value: unknown): string[] {
  if (typeof value !== 'object' || value === null) {
    return [
      `its module's default export is ${value === null ? 'null' : typeof value}, expected define${entry.kind === 'platform' ? 'Platform' : 'System'}({...})`,
    ]
  }
  const result = contractSchema(entry, value as Record<string, unknown>).safeParse(value)
  return result.success ? [] : result.error.issues.map((issue) => issue.message)
}

export function checkPlatform(entry: PluginEntry, value: unknown): PlatformDefinition {
  assertContract(entry, value)
  return value as PlatformDefinition
}

export function checkSystem(entry: PluginEntry, value: unknown): SystemDefinition {
  assertContract(entry, value)
  return value as SystemDefinition
}

function assertContract(entry: PluginEntry, value: unknown): void {
  const problems = contractProblems(entry, value)
  if (problems.length === 0) return
  throw new GuixOpsError(
    ErrorCode.PluginContract,
    `${entry.kind} "${entry.name}" from ${entry.packageName} does not satisfy the plugin contract: ${problems.join('; ')}`,
    { where: { plugin: entry.packageName, file: entry.modulePath } },
  )
}

/** A hooks module's default export must be `defineHooks({ name, apply })`. */
export function checkHooks(entry: HookEntry, value: unknown): HookPlugin {
  const plugin = value as Partial<HookPlugin> | null | undefined
  if (typeof plugin?.name === 'string' && typeof plugin.apply === 'function') return plugin as HookPlugin
  throw new GuixOpsError(
    ErrorCode.PluginContract,
    `the hooks of ${entry.packageName} do not satisfy the plugin contract: the default export must be defineHooks({ name, apply })`,
    { where: { plugin: entry.packageName, file: entry.modulePath } },
  )
}
