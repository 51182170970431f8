/**
 * Checks that a parsed state document has the shape of DeploymentState.
 * Hand-written rather than a schema library: `list` and `info` read every
 * state file, and start-up time matters more there than brevity here.
 */
import type { JsonValue } from '@guix-ops/plugin-api'
import { isKeyPath } from '../keys/names.js'

export type ShapeProblem = { path: string; message: string }

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
/** Also the config's rule (config/normalize.ts); a name becomes a lock file name, so no "/". */
export const DEPLOYMENT_NAME: RegExp = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/

function describe(value: unknown): string {
  if (value === undefined) return 'nothing'
  if (Array.isArray(value)) return 'an array'
  if (value === null) return 'null'
  return typeof value === 'object' ? 'an object' : JSON.stringify(value)
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

function isJson(value: unknown, depth = 0): value is JsonValue {
  if (depth > 64) return false
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true
  if (typeof value === 'number') return Number.isFinite(value)
  if (Array.isArray(value)) return value.every((v) => isJson(v, depth + 1))
  return isRecord(value) && Object.values(value).every((v) => isJson(v, depth + 1))
}

class Checker {
  problem: ShapeProblem | undefined

  fail(path: string, message: string): false {
    this.problem ??= { path, message }
    return false
  }

  string(value: unknown, path: string, pattern?: RegExp, what = 'a string'): boolean {
    if (typeof value !== 'string' || (pattern && !pattern.test(value)))
      return this.fail(path, `expected ${what}, got ${describe(value)}`)
    return true
  }

  optional(value: unknown, path: string, check: (v: unknown, p: string) => boolean): boolean {
    return value === undefined || check(value, path)
  }

  jsonObject(value: unknown, path: string): boolean {
    if (!isRecord(value) || !isJson(value)) return this.fail(path, `expected a JSON object, got ${describe(value)}`)
    return true
  }
}

/**
 * A key's record names the file that deploy and upload-keys remove, as
 * root, once the key leaves the config: a record from a tampered state
 * file or import must not name any other file than a config could.
 */
function checkKeyRecords(c: Checker, keys: unknown, at: string): boolean {
  if (!c.jsonObject(keys, at)) return false
  for (const [name, record] of Object.entries(keys as Record<string, unknown>)) {
    const file = isRecord(record) ? record.path : undefined
    if (typeof file !== 'string' || !isKeyPath(file, name))
      return c.fail(`${at}.${name}.path`, 'expected the path of the key by that name: DIR/NAME, an absolute DIR')
  }
  return true
}

function checkMachine(c: Checker, m: unknown, at: string): boolean {
  if (!isRecord(m)) return c.fail(at, `expected an object, got ${describe(m)}`)
  c.string(m.platform, `${at}.platform`)
  c.string(m.system, `${at}.system`)
  c.optional(m.platformPackage, `${at}.platformPackage`, (v, p) => c.string(v, p))
  c.optional(m.systemPackage, `${at}.systemPackage`, (v, p) => c.string(v, p))
  c.optional(m.resource, `${at}.resource`, (v, p) => c.jsonObject(v, p))
  c.optional(m.outputs, `${at}.outputs`, (v, p) => c.jsonObject(v, p))
  c.optional(m.address, `${at}.address`, (v, p) => c.string(v, p))
  c.optional(m.hostKey, `${at}.hostKey`, (v, p) => c.string(v, p))
  c.optional(m.jumpHostKey, `${at}.jumpHostKey`, (v, p) => c.string(v, p))
  c.optional(m.currentGeneration, `${at}.currentGeneration`, (v, p) =>
    Number.isInteger(v) ? true : c.fail(p, `expected a whole number, got ${describe(v)}`),
  )
  c.optional(m.keys, `${at}.keys`, (v, p) => checkKeyRecords(c, v, p))
  c.optional(m.generations, `${at}.generations`, (v, p) => {
    if (!Array.isArray(v)) return c.fail(p, `expected an array, got ${describe(v)}`)
    for (const [i, g] of v.entries()) {
      const gp = `${p}[${i}]`
      if (!isRecord(g)) {
        c.fail(gp, `expected an object, got ${describe(g)}`)
        continue
      }
      if (!Number.isInteger(g.number)) c.fail(`${gp}.number`, `expected a whole number, got ${describe(g.number)}`)
      c.string(g.createdAt, `${gp}.createdAt`)
      c.optional(g.description, `${gp}.description`, (d, dp) => c.string(d, dp))
    }
    return true
  })
  return true
}

/** The first problem with the document's shape, or undefined if it has none. */
export function checkStateShape(doc: Record<string, unknown>, kind: string, version: number): ShapeProblem | undefined {
  const c = new Checker()
  if (doc.kind !== kind) c.fail('kind', `expected "${kind}", got ${describe(doc.kind)}`)
  if (doc.version !== version) c.fail('version', `expected ${version}, got ${describe(doc.version)}`)
  c.string(doc.id, 'id', UUID, 'a UUID')
  c.string(doc.name, 'name', DEPLOYMENT_NAME, 'a deployment name')
  c.string(doc.configPath, 'configPath')
  c.optional(doc.description, 'description', (v, p) => c.string(v, p))
  c.string(doc.createdAt, 'createdAt')
  c.string(doc.updatedAt, 'updatedAt')
  if (!isRecord(doc.machines))
    c.fail('machines', `expected an object of machines by name, got ${describe(doc.machines)}`)
  else for (const [name, m] of Object.entries(doc.machines)) checkMachine(c, m, `machines.${name}`)
  return c.problem
}
