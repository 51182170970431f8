/**
 * A config's exported value that guix-ops can read without running any of
 * the config's code: plain objects, arrays and primitives, with no getter,
 * setter, proxy or symbol key (a `Symbol.toPrimitive`), and functions only
 * as machines (the values of a `machines` object), which guix-ops calls
 * itself. Such a value is copied with each machine function wrapped, so that
 * every call of one is bounded on its own (guarded-call.ts). Looking never
 * runs the config's code: a proxy is recognised before any of its traps
 * could be reached.
 */
import { types } from 'node:util'

const MAX_DEPTH = 64

/** Calls a machine's function for guix-ops: `name` is the machine's. */
export type MachineCallWrapper = (
  name: string,
  call: (...args: unknown[]) => unknown,
) => (...args: unknown[]) => unknown

/** A plain object's or array's own data properties; undefined if it is anything else. */
function dataEntries(value: object): [string, unknown][] | undefined {
  if (types.isProxy(value)) return undefined
  const prototype = Object.getPrototypeOf(value)
  if (Array.isArray(value) ? prototype !== Array.prototype : prototype !== Object.prototype && prototype !== null)
    return undefined
  const entries: [string, unknown][] = []
  for (const key of Reflect.ownKeys(value)) {
    if (typeof key === 'symbol') return undefined
    const descriptor = Object.getOwnPropertyDescriptor(value, key)!
    if (!('value' in descriptor)) return undefined
    if (!Array.isArray(value) || key !== 'length') entries.push([key, descriptor.value])
  }
  return entries
}

function copy(
  value: unknown,
  key: string,
  parentKey: string,
  depth: number,
  wrap: MachineCallWrapper,
): { value: unknown } | undefined {
  if (typeof value === 'function')
    return parentKey === 'machines' ? { value: wrap(key, value as (...args: unknown[]) => unknown) } : undefined
  if (typeof value !== 'object' || value === null) return { value }
  if (depth > MAX_DEPTH) return undefined
  const entries = dataEntries(value)
  if (entries === undefined) return undefined
  const copied: Record<string, unknown> = {}
  for (const [childKey, child] of entries) {
    const result = copy(child, childKey, key, depth + 1, wrap)
    if (result === undefined) return undefined
    copied[childKey] = result.value
  }
  return { value: Array.isArray(value) ? Object.assign(new Array(value.length), copied) : copied }
}

/**
 * A copy of `value` with each machine function wrapped by `wrap`, or
 * undefined when reading the value could run the config's code.
 */
export function copyPlainConfig(value: unknown, wrap: MachineCallWrapper): { value: unknown } | undefined {
  return copy(value, '', '', 0, wrap)
}

/** True when reading `value` (a machine function's result) runs none of the config's code. */
export function isPlainValue(value: unknown): boolean {
  return copy(value, '', '', 0, () => () => undefined) !== undefined
}
