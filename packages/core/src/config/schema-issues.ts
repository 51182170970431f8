/**
 * Turns a plugin schema's issues into config errors that name the field:
 * `machines.web.platform.memory: expected a number, got "lots"`.
 * Schemas come from any Standard Schema library; zod's wording is rephrased
 * to ours, anything else is shown as the library wrote it.
 */
import type { StandardSchemaV1 } from '@guix-ops/plugin-api'
import { describeValue, joinPath } from './describe.js'

export function issuePath(issue: StandardSchemaV1.Issue): (string | number)[] {
  return (issue.path ?? []).map((segment) => {
    const key = typeof segment === 'object' && segment !== null ? segment.key : segment
    return typeof key === 'number' ? key : String(key)
  })
}

export function valueAt(root: unknown, path: (string | number)[]): unknown {
  let current = root
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined
    current = (current as Record<string | number, unknown>)[key]
  }
  return current
}

const article = (noun: string) => (/^[aeiou]/.test(noun) ? `an ${noun}` : `a ${noun}`)

/** Our wording for a schema issue about `value`. */
export function rephrase(message: string, value: unknown): string {
  const typeMismatch = /^Invalid input: expected (\w+), received (\w+)$/.exec(message)
  if (typeMismatch) {
    const expected = typeMismatch[1]!
    return value === undefined
      ? `is required (${article(expected)})`
      : `expected ${article(expected)}, got ${describeValue(value)}`
  }
  const unknownKeys = /^Unrecognized keys?: (.+)$/.exec(message)
  if (unknownKeys) return `unknown option${unknownKeys[1]!.includes(',') ? 's' : ''} ${unknownKeys[1]}`
  const option = /^Invalid option: expected one of (.+)$/.exec(message)
  if (option) return `expected one of ${option[1]!.replaceAll('|', ', ')}, got ${describeValue(value)}`
  const tooBig = /^Too big: expected (\w+) to (?:be|have) (.+)$/.exec(message)
  if (tooBig) return `must be ${tooBig[2]}, got ${describeValue(value)}`
  const tooSmall = /^Too small: expected (\w+) to (?:be|have) (.+)$/.exec(message)
  if (tooSmall) return `must be ${tooSmall[2]}, got ${describeValue(value)}`
  if (value !== undefined && typeof value !== 'object' && !message.includes('got ')) {
    return `${message}, got ${describeValue(value)}`
  }
  return message
}

/** `prefix.path: message` for one issue. */
export function describeIssue(
  prefix: string,
  issue: StandardSchemaV1.Issue,
  input: unknown,
): { path: string; message: string } {
  const segments = issuePath(issue)
  const path = joinPath(prefix, ...segments)
  return { path, message: rephrase(issue.message, valueAt(input, segments)) }
}
