/**
 * Checks the shape of a loaded config (deployments, machines, platform and
 * system references) before any plugin sees it. Plugin options are checked
 * later, by each plugin's own schema (validate.ts).
 */
import path from 'node:path'
import type { DeploymentDefinition, MachineDefinition } from '@guix-ops/plugin-api'
import { checkKeys } from '../keys/schema.js'
import { closest, describeValue, joinPath } from './describe.js'
import { IssueList } from './issues.js'
import type { LoadedConfig } from './load.js'
import { checkReservedKeys } from './reserved-keys.js'

export const DEPLOYMENT_NAME: RegExp = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/

const DEPLOYMENT_KEYS = ['name', 'description', 'machines', 'plugins']
const MACHINE_KEYS = ['platform', 'system', 'tags', 'needs', 'description', 'keys']

/** One deployment of a config file, with where it sits in that file. */
export interface ConfigDeployment {
  definition: DeploymentDefinition
  /** Path prefix for error messages: '' or `deployments[1].`. */
  prefix: string
  /** Absolute plugin package dirs from the config's `plugins` lists. */
  plugins: string[]
}

export interface NormalizedConfig {
  file: string
  deployments: ConfigDeployment[]
  /** As in LoadedConfig: the config's code runs only in machine function calls, each bounded on its own. */
  guardedCalls?: boolean
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

function checkStringList(issues: IssueList, value: unknown, at: string): value is string[] {
  if (value === undefined) return true
  if (!Array.isArray(value)) {
    issues.field(at, `expected a list of strings, got ${describeValue(value)}`)
    return false
  }
  let ok = true
  value.forEach((item, i) => {
    if (typeof item !== 'string' || item === '') {
      issues.field(joinPath(at, i), `expected a non-empty string, got ${describeValue(item)}`)
      ok = false
    }
  })
  return ok
}

function checkUnknownKeys(issues: IssueList, value: Record<string, unknown>, allowed: string[], at: string): void {
  for (const key of Object.keys(value)) {
    if (allowed.includes(key)) continue
    const guess = closest(key, allowed)
    issues.field(joinPath(at, key), `unknown field`, {
      suggestion: guess ? `did you mean "${guess}"?` : `known fields: ${allowed.join(', ')}`,
    })
  }
}

function checkRef(issues: IssueList, value: unknown, at: string, kind: 'platform' | 'system'): void {
  if (!isObject(value)) {
    const example = kind === 'platform' ? `{ type: 'qemu' }` : `{ type: 'debian' }`
    issues.field(at, `expected a ${kind} like ${example}, got ${describeValue(value)}`)
    return
  }
  if (typeof value.type !== 'string' || value.type === '') {
    issues.field(joinPath(at, 'type'), `expected the ${kind} type as a string, got ${describeValue(value.type)}`)
  }
}

function checkMachine(issues: IssueList, machine: unknown, at: string, name: string): void {
  if (typeof machine === 'function') return // checked once evaluated with stand-ins
  if (!isObject(machine)) {
    issues.field(
      at,
      `expected a machine ({ platform, system }) or a function returning one, got ${describeValue(machine)}`,
      {
        machine: name,
      },
    )
    return
  }
  checkMachineSpec(issues, machine, at, name)
}

/** Checks a machine spec's own fields; also used on what machine functions return. */
export function checkMachineSpec(issues: IssueList, machine: Record<string, unknown>, at: string, name: string): void {
  checkUnknownKeys(issues, machine, MACHINE_KEYS, at)
  checkRef(issues, machine.platform, joinPath(at, 'platform'), 'platform')
  checkRef(issues, machine.system, joinPath(at, 'system'), 'system')
  checkStringList(issues, machine.tags, joinPath(at, 'tags'))
  checkStringList(issues, machine.needs, joinPath(at, 'needs'))
  checkKeys(issues, machine.keys, joinPath(at, 'keys'), name)
  if (machine.description !== undefined && typeof machine.description !== 'string') {
    issues.field(joinPath(at, 'description'), `expected a string, got ${describeValue(machine.description)}`)
  }
}

function checkDeployment(issues: IssueList, value: unknown, prefix: string): value is DeploymentDefinition {
  const at = prefix.replace(/\.$/, '')
  if (!isObject(value)) {
    issues.field(at, `expected a deployment ({ name, machines }), got ${describeValue(value)}`)
    return false
  }
  const before = issues.errors.length
  checkUnknownKeys(issues, value, DEPLOYMENT_KEYS, at)
  if (typeof value.name !== 'string') {
    issues.field(joinPath(at, 'name'), `expected the deployment's name as a string, got ${describeValue(value.name)}`)
  } else if (!DEPLOYMENT_NAME.test(value.name)) {
    issues.field(joinPath(at, 'name'), `invalid deployment name ${describeValue(value.name)}`, {
      suggestion: 'use letters, digits, ".", "_" and "-", starting with a letter or digit (at most 63)',
    })
  }
  if (value.description !== undefined && typeof value.description !== 'string') {
    issues.field(joinPath(at, 'description'), `expected a string, got ${describeValue(value.description)}`)
  }
  checkStringList(issues, value.plugins, joinPath(at, 'plugins'))
  if (!isObject(value.machines)) {
    issues.field(
      joinPath(at, 'machines'),
      `expected an object of machines by name, got ${describeValue(value.machines)}`,
    )
  } else {
    for (const [name, machine] of Object.entries(value.machines)) {
      const machineAt = joinPath(at, 'machines', name)
      if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/.test(name)) {
        issues.field(machineAt, `invalid machine name`, {
          suggestion: 'use letters, digits, "_" and "-", starting with a letter or digit (at most 63)',
        })
      }
      checkMachine(issues, machine as MachineDefinition, machineAt, name)
    }
  }
  return issues.errors.length === before
}

/** Checks a loaded config's shape; throws every problem at once. */
export function normalizeConfig(loaded: LoadedConfig): NormalizedConfig {
  const { file, value } = loaded
  const issues = new IssueList(file)
  const base = path.dirname(file)
  const resolvePlugins = (list: unknown): string[] =>
    Array.isArray(list) ? list.filter((p): p is string => typeof p === 'string').map((p) => path.resolve(base, p)) : []
  const deployments: ConfigDeployment[] = []
  checkReservedKeys(issues, value, '')

  if (!isObject(value)) {
    issues.field(
      '',
      `the config must export one deployment ({ name, machines }) or { deployments: [...] }, got ${describeValue(value)}`,
    )
  } else if ('deployments' in value) {
    checkUnknownKeys(issues, value, ['deployments', 'plugins'], '')
    checkStringList(issues, value.plugins, 'plugins')
    const shared = resolvePlugins(value.plugins)
    if (!Array.isArray(value.deployments) || value.deployments.length === 0) {
      issues.field('deployments', `expected a non-empty list of deployments, got ${describeValue(value.deployments)}`)
    } else {
      const seen = new Map<string, number>()
      value.deployments.forEach((d: unknown, i: number) => {
        const prefix = `deployments[${i}].`
        if (!checkDeployment(issues, d, prefix)) return
        const previous = seen.get(d.name)
        if (previous !== undefined) {
          issues.field(`${prefix}name`, `deployment "${d.name}" is defined twice (also deployments[${previous}])`)
          return
        }
        seen.set(d.name, i)
        deployments.push({ definition: d, prefix, plugins: [...shared, ...resolvePlugins(d.plugins)] })
      })
    }
  } else if (checkDeployment(issues, value, '')) {
    deployments.push({ definition: value, prefix: '', plugins: resolvePlugins(value.plugins) })
  }
  issues.throwIfAny()
  return { file, deployments, ...(loaded.guardedCalls ? { guardedCalls: true } : {}) }
}
