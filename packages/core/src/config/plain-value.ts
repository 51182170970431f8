/**
 * A config's exported value that guix-ops can read without running any of
 * the config's code: plain objects, arrays and primitives, with no getter,
 * setter, proxy or symbol key (a `Symbol.toPrimitive`), and functions only
 * as machines (the values of a `machines` object), which guix-ops calls
 * itself. Such a value is copied with each machine function wrapped, so that
 * every call of one is bounded on its own (guarded-call.ts). The copy keeps
 * what a reader could tell apart: shared objects stay shared, cycles stay
 * cycles, each property keeps its flags and each object its prototype and
 * frozenness. Looking never runs the config's code: a proxy is recognised
 * before any of its traps could be reached. Each object is visited once, and
 * a value larger than MAX_OBJECTS is not walked at all.
 */
import { types } from 'node:util'

const MAX_DEPTH = 64
const MAX_OBJECTS = 100_000

type Call = (...args: unknown[]) => unknown

/** Calls a machine's function for guix-ops: `name` is the machine's. */
export type MachineCallWrapper = (name: string, call: Call) => Call

/** A plain object's or array's own properties, all of them data; undefined if it is anything else. */
function dataProperties(value: object): [string, PropertyDescriptor][] | undefined {
  if (types.isProxy(value)) return undefined
  const prototype = Object.getPrototypeOf(value)
  if (Array.isArray(value) ? prototype !== Array.prototype : prototype !== Object.prototype && prototype !== null)
    return undefined
  const properties: [string, PropertyDescriptor][] = []
  for (const key of Reflect.ownKeys(value)) {
    if (typeof key === 'symbol') return undefined
    const descriptor = Object.getOwnPropertyDescriptor(value, key)!
    if (!('value' in descriptor)) return undefined
    if (!Array.isArray(value) || key !== 'length') properties.push([key, descriptor])
  }
  return properties
}

function keepIntegrity(original: object, copy: object): void {
  if (Object.isFrozen(original)) Object.freeze(copy)
  else if (Object.isSealed(original)) Object.seal(copy)
  else if (!Object.isExtensible(original)) Object.preventExtensions(copy)
}

/**
 * A copy of `value` with each machine function wrapped by `wrap`, or
 * undefined when reading the value could run the config's code. `leaf`
 * names objects of guix-ops' own to keep as they are (its stand-ins).
 */
export function copyPlainConfig(
  value: unknown,
  wrap: MachineCallWrapper,
  leaf: (value: object) => boolean = () => false,
): { value: unknown } | undefined {
  const copies = new Map<object, unknown>()
  let budget = MAX_OBJECTS
  const visit = (v: unknown, key: string, parentKey: string, depth: number): { value: unknown } | undefined => {
    if ((typeof v !== 'object' && typeof v !== 'function') || v === null) return { value: v }
    if (leaf(v)) return { value: v }
    if (copies.has(v)) return { value: copies.get(v) }
    if (typeof v === 'function') {
      if (parentKey !== 'machines') return undefined
      const wrapped = wrap(key, v as Call)
      copies.set(v, wrapped)
      return { value: wrapped }
    }
    if (depth > MAX_DEPTH || --budget < 0) return undefined
    const properties = dataProperties(v)
    if (properties === undefined) return undefined
    const copy: object = Array.isArray(v) ? new Array(v.length) : Object.create(Object.getPrototypeOf(v))
    copies.set(v, copy)
    for (const [childKey, descriptor] of properties) {
      const child = visit(descriptor.value, childKey, key, depth + 1)
      if (child === undefined) return undefined
      Object.defineProperty(copy, childKey, { ...descriptor, value: child.value })
    }
    keepIntegrity(v, copy)
    return { value: copy }
  }
  return visit(value, '', '', 0)
}

/** True when reading `value` (a machine function's result) runs none of the config's code. */
export function isPlainValue(value: unknown, leaf?: (value: object) => boolean): boolean {
  return copyPlainConfig(value, (_name, call) => call, leaf) !== undefined
}
