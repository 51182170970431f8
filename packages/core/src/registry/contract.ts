/**
 * Checks that a plugin module's default export satisfies the contract, so a
 * broken plugin fails by name at load time, not halfway through a deploy.
 */
import {
  API_VERSION,
  GuixOpsError,
  type HookPlugin,
  type PlatformDefinition,
  type SystemDefinition,
} from '@guix-ops/plugin-api'
import { ErrorCode } from '../codes.js'
import type { HookEntry, PluginEntry } from './types.js'

const REQUIRED: Record<PluginEntry['kind'], string[]> = {
  platform: ['provision', 'status', 'ssh'],
  system: ['plan', 'apply', 'check', 'generations', 'rollback'],
}

const CAPABILITY_METHODS = ['start', 'stop', 'reboot', 'destroy'] as const

function contractProblems(entry: PluginEntry, value: unknown): string[] {
  if (typeof value !== 'object' || value === null) {
    return [
      `its module's default export is ${value === null ? 'null' : typeof value}, expected define${entry.kind === 'platform' ? 'Platform' : 'System'}({...})`,
    ]
  }
  const def = value as Record<string, unknown>
  const problems: string[] = []
  if (def.name !== entry.name)
    problems.push(`its name is ${JSON.stringify(def.name)} but package.json declares "${entry.name}"`)
  if (def.apiVersion !== API_VERSION)
    problems.push(`apiVersion is ${JSON.stringify(def.apiVersion)}, expected ${API_VERSION}`)
  const options = def.options as Record<string, unknown> | undefined
  if (
    typeof options !== 'object' ||
    options === null ||
    typeof (options['~standard'] as { validate?: unknown })?.validate !== 'function'
  ) {
    problems.push('"options" is not a Standard Schema (zod, valibot, arktype...)')
  }
  for (const method of REQUIRED[entry.kind]) {
    if (typeof def[method] !== 'function') problems.push(`method "${method}" is missing`)
  }
  if (entry.kind === 'platform') {
    const caps = def.capabilities
    if (typeof caps !== 'object' || caps === null) {
      problems.push('"capabilities" is missing')
    } else {
      for (const method of CAPABILITY_METHODS) {
        const claimed = (caps as Record<string, unknown>)[method] === true
        if (claimed && typeof def[method] !== 'function')
          problems.push(`capability "${method}" is claimed but method "${method}" is missing`)
      }
    }
  }
  return problems
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
