/**
 * Whether a config changed the built-ins that guix-ops' own code uses while
 * it reads the config (the prototypes of plain values, JSON, Promise...):
 * a getter put on Object.prototype, say, would run the config's code later,
 * where no bounded call is under way. Such a config keeps the watchdog
 * thread (load.ts). Compares each watched object's own properties before
 * and after the config ran, by identity; reading them runs nothing.
 */
const GLOBAL_NAMES = [
  'Object',
  'Array',
  'Function',
  'String',
  'Number',
  'Boolean',
  'Symbol',
  'BigInt',
  'Promise',
  'RegExp',
  'Date',
  'Map',
  'Set',
  'WeakMap',
  'WeakSet',
  'Error',
  'TypeError',
  'JSON',
  'Math',
  'Reflect',
  'Proxy',
  'URL',
  'structuredClone',
  'queueMicrotask',
  'setTimeout',
  'setImmediate',
  'clearTimeout',
  'Buffer',
  'process',
] as const

/** The built-in constructors and namespaces named above, with their prototypes. */
function watched(): object[] {
  const objects: object[] = []
  const globals = globalThis as unknown as Record<string, unknown>
  for (const name of GLOBAL_NAMES) {
    const value = globals[name]
    if ((typeof value !== 'object' && typeof value !== 'function') || value === null) continue
    objects.push(value)
    const prototype = (value as { prototype?: unknown }).prototype
    if (typeof prototype === 'object' && prototype !== null) objects.push(prototype)
  }
  return objects
}

type Fingerprint = Map<PropertyKey, [unknown, unknown, unknown]>

function fingerprint(object: object, keys: readonly PropertyKey[] = Reflect.ownKeys(object)): Fingerprint {
  const properties: Fingerprint = new Map()
  for (const key of keys) {
    const d = Object.getOwnPropertyDescriptor(object, key)
    if (d) properties.set(key, [d.value, d.get, d.set])
  }
  return properties
}

function same(before: Fingerprint, after: Fingerprint): boolean {
  if (before.size !== after.size) return false
  for (const [key, [value, get, set]] of before) {
    const now = after.get(key)
    if (!now || !Object.is(now[0], value) || now[1] !== get || now[2] !== set) return false
  }
  return true
}

/** Notes the built-ins now; the function returned says whether they are still the same. */
export function watchBuiltins(): () => boolean {
  // Of the global object itself, only these names: Node turns some of its own lazy globals into values when read.
  const globals = fingerprint(globalThis, GLOBAL_NAMES)
  const objects = watched()
  const before = objects.map((o) => fingerprint(o))
  return () =>
    same(globals, fingerprint(globalThis, GLOBAL_NAMES)) && objects.every((o, i) => same(before[i]!, fingerprint(o)))
}
