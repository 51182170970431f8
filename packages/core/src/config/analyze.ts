/**
 * Everything that can be checked about a deployment without touching a
 * machine: its shape, the machine graph, and every platform and system
 * option against the schema the plugin declares. All errors are collected
 * and thrown together.
 */
import path from 'node:path'
import type { MachineSpec, PlatformDefinition, StandardSchemaV1, SystemDefinition } from '@guix-ops/plugin-api'
import { GuixOpsError, isGuixOpsError } from '@guix-ops/plugin-api'
import { ErrorCode } from '../codes.js'
import { buildGraph, containsPlaceholder, inferDependencies } from '../graph/index.js'
import type { PluginResolver } from '../registry/index.js'
import { joinPath } from './describe.js'
import { IssueList } from './issues.js'
import type { ConfigDeployment } from './normalize.js'
import { checkMachineSpec } from './normalize.js'
import { checkReservedKeys } from './reserved-keys.js'
import { describeIssue, issuePath, valueAt } from './schema-issues.js'
import { checkSharedHosts } from './shared-hosts.js'
import { validateSystem } from './validate-system.js'

export interface MachineSummary {
  name: string
  platform: string
  system: string
  tags: string[]
  /** Machines this one waits for (read or declared). */
  dependencies: string[]
  /** True when the machine is a function of other machines' results. */
  parameterized: boolean
}

export interface DeploymentAnalysis {
  name: string
  description?: string
  file: string
  machines: MachineSummary[]
  /** Deploy order; machines in one level may run in parallel. */
  order: string[]
  levels: string[][]
}

async function checkOptions(
  issues: IssueList,
  at: string,
  machine: string,
  kind: 'platform' | 'system',
  ref: { type: string; [k: string]: unknown },
  registry: PluginResolver,
  deployment: string,
): Promise<void> {
  let plugin: PlatformDefinition | SystemDefinition
  try {
    plugin = kind === 'platform' ? await registry.platform(ref.type) : await registry.system(ref.type)
  } catch (error) {
    if (!isGuixOpsError(error)) throw error
    const suggestion = error.suggestion ? { suggestion: error.suggestion } : {}
    issues.field(joinPath(at, 'type'), error.message, { code: error.code, machine, ...suggestion })
    return
  }
  const { type: _type, ...options } = ref
  const result = await plugin.options['~standard'].validate(options)
  if (kind === 'system') await checkSystem(issues, plugin as SystemDefinition, options, result, { deployment, machine })
  for (const issue of result.issues ?? []) {
    // A value computed from a machine that does not exist yet cannot be judged now.
    if (containsPlaceholder(valueAt(options, issuePath(issue)))) continue
    const { path, message } = describeIssue(at, issue, options)
    issues.field(path, message, {
      code: kind === 'platform' ? ErrorCode.PlatformOption : ErrorCode.SystemOption,
      machine,
    })
  }
}

/**
 * The driver reads what the options name (files, their syntax) once they
 * are valid. Values from machines not deployed yet are stand-ins that the
 * schema may refuse; as JSON they become marked strings the driver can skip.
 */
async function checkSystem(
  issues: IssueList,
  system: SystemDefinition,
  options: Record<string, unknown>,
  result: StandardSchemaV1.Result<unknown>,
  at: { deployment: string; machine: string },
): Promise<void> {
  const settled = result.issues
    ? await system.options['~standard'].validate(JSON.parse(JSON.stringify(options)))
    : result
  if (settled.issues) return
  await validateSystem(system, settled.value, { ...at, configDir: path.dirname(issues.file) }).catch(
    (error: unknown) => {
      if (!isGuixOpsError(error)) throw error
      issues.add(error)
    },
  )
}

export async function analyzeDeployment(
  file: string,
  deployment: ConfigDeployment,
  registry: PluginResolver,
): Promise<DeploymentAnalysis> {
  const { definition, prefix } = deployment
  const issues = new IssueList(file)
  const where = { file, deployment: definition.name }
  const inferred = inferDependencies(definition.machines)
  issues.add(...inferred.errors.map((e) => withFile(e, file, definition.name)))
  const graph = buildGraph(definition.machines, inferred.dependencies, where)
  issues.add(...graph.errors.map((e) => withFile(e, file, definition.name)))

  const machines: MachineSummary[] = []
  const specs: [string, MachineSpec][] = []
  for (const [name, machineDefinition] of Object.entries(definition.machines)) {
    const at = `${prefix}machines.${name}`
    const parameterized = typeof machineDefinition === 'function'
    const spec = inferred.specs[name]
    if (spec === undefined) continue
    if (parameterized) {
      if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
        issues.field(at, `its function returned ${typeof spec}, expected a machine ({ platform, system })`, {
          code: ErrorCode.MachineFunction,
          machine: name,
        })
        continue
      }
      const before = issues.errors.length
      checkMachineSpec(issues, spec as unknown as Record<string, unknown>, at, name)
      checkReservedKeys(issues, spec, at, name)
      if (issues.errors.length > before) continue
    }
    const typed = spec as MachineSpec
    await checkOptions(issues, `${at}.platform`, name, 'platform', typed.platform, registry, definition.name)
    await checkOptions(issues, `${at}.system`, name, 'system', typed.system, registry, definition.name)
    specs.push([name, typed])
    machines.push({
      name,
      platform: typed.platform.type,
      system: typed.system.type,
      tags: typed.tags ?? [],
      dependencies: inferred.dependencies[name] ?? [],
      parameterized,
    })
  }
  checkSharedHosts(issues, prefix, specs)
  issues.throwIfAny()
  return {
    name: definition.name,
    ...(definition.description ? { description: definition.description } : {}),
    file,
    machines,
    order: graph.order,
    levels: graph.levels,
  }
}

/** Graph errors know the machine; add the file and deployment they belong to. */
function withFile(error: GuixOpsError, file: string, deployment: string): GuixOpsError {
  return new GuixOpsError(error.code, error.message, {
    where: { ...error.where, file, deployment },
    ...(error.suggestion ? { suggestion: error.suggestion } : {}),
  })
}
