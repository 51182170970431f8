/**
 * Stand-ins for machine results, used to learn what a machine function
 * reads before any machine exists. Every property of a stand-in is another
 * stand-in; turned into a string it becomes a marked placeholder, so that
 * option validation can skip values that are not known yet.
 */

const MARK = '\u0000guix-ops:'
const END = '\u0000'
const STAND_IN = Symbol('guix-ops.stand-in')

/** A string that stands for a value not known until `path` is deployed. */
export function placeholderText(path: string): string {
  return `${MARK}${path}${END}`
}

/** Every stand-in made: telling one apart must not run another proxy's traps (config/plain-value.ts). */
const standIns = new WeakSet<object>()

/** True for a stand-in of guix-ops' own, by identity alone. */
export function isStandIn(value: object): boolean {
  return standIns.has(value)
}

function standIn(path: string): unknown {
  const text = placeholderText(path)
  const target = () => text
  const proxy = new Proxy(target, {
    get(_target, key) {
      if (key === STAND_IN) return true
      if (key === Symbol.toPrimitive) return (hint: string) => (hint === 'number' ? Number.NaN : text)
      if (key === 'toString' || key === 'valueOf' || key === 'toJSON') return () => text
      if (typeof key === 'symbol') return undefined
      // `then` must stay undefined, or an `await` on a stand-in would hang.
      if (key === 'then') return undefined
      return standIn(`${path}.${key}`)
    },
    has: () => true,
    ownKeys: () => [],
    getOwnPropertyDescriptor: () => undefined,
  })
  standIns.add(proxy)
  return proxy
}

/**
 * True for a stand-in, a string holding a placeholder, or NaN: arithmetic on
 * a stand-in gives NaN, and NaN is never a value a user means to write.
 */
export function isPlaceholder(value: unknown): boolean {
  if (typeof value === 'string') return value.includes(MARK)
  if (typeof value === 'number') return Number.isNaN(value)
  if (typeof value === 'function' || (typeof value === 'object' && value !== null)) {
    return (value as Record<symbol, unknown>)[STAND_IN] === true
  }
  return false
}

/** True when `value`, or anything nested in it, is a placeholder. */
export function containsPlaceholder(value: unknown, seen: Set<unknown> = new Set()): boolean {
  if (isPlaceholder(value)) return true
  if (typeof value !== 'object' || value === null || seen.has(value)) return false
  seen.add(value)
  return Object.values(value).some((v) => containsPlaceholder(v, seen))
}

export interface RecordingResults {
  /** The object handed to a machine function. */
  results: Record<string, unknown>
  /** Machine names it read, in reading order. */
  reads: () => string[]
}

/**
 * Results that record every machine read. Enumerating them (`Object.keys`,
 * spread) reads every machine: the function may use any of them.
 */
export function recordingResults(machines: readonly string[]): RecordingResults {
  const reads = new Set<string>()
  const results = new Proxy({} as Record<string, unknown>, {
    get(_target, key) {
      if (typeof key === 'symbol' || key === 'then') return undefined
      reads.add(key)
      return standIn(key)
    },
    has(_target, key) {
      if (typeof key === 'string') reads.add(key)
      return typeof key === 'string' && machines.includes(key)
    },
    ownKeys() {
      for (const m of machines) reads.add(m)
      return [...machines]
    },
    getOwnPropertyDescriptor(_target, key) {
      if (typeof key !== 'string' || !machines.includes(key)) return undefined
      return { configurable: true, enumerable: true, writable: false, value: standIn(key) }
    },
  })
  return { results, reads: () => [...reads] }
}
