/**
 * Refuses the keys JavaScript treats specially (`__proto__`, `constructor`,
 * `prototype`) anywhere in a config. Schemas copy maps into fresh objects,
 * where such a key sets a prototype instead of an entry: a user named
 * "__proto__" would vanish without a word. Checked once, at the boundary,
 * so every map of every plugin's options is covered.
 */
import { joinPath } from './describe.js'
import type { IssueList } from './issues.js'

const RESERVED = new Set(['__proto__', 'constructor', 'prototype'])

/**
 * True for an object literal used as a prototype: what `{ __proto__: {...} }`
 * in a JS/TS config makes. A class's prototype has its own `constructor`.
 */
function hasLiteralPrototype(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value)
  if (proto === null || proto === Object.prototype || Array.isArray(value)) return false
  return typeof proto === 'object' && !Object.hasOwn(proto as object, 'constructor')
}

function refuse(issues: IssueList, at: string, key: string, machine: string | undefined): void {
  issues.field(joinPath(at, key), `"${key}" cannot be used as a key`, {
    suggestion: 'rename it: JavaScript gives this name a special meaning, so the entry would be lost',
    ...(machine ? { machine } : {}),
  })
}

/** Adds an issue for every reserved key under `value`; functions are checked once they have run. */
export function checkReservedKeys(
  issues: IssueList,
  value: unknown,
  at: string,
  machine?: string,
  seen: Set<object> = new Set(),
): void {
  if (typeof value !== 'object' || value === null || seen.has(value)) return
  seen.add(value)
  if (hasLiteralPrototype(value)) refuse(issues, at, '__proto__', machine)
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      checkReservedKeys(issues, item, joinPath(at, i), machine, seen)
    })
    return
  }
  for (const key of Object.keys(value)) {
    if (RESERVED.has(key)) refuse(issues, at, key, machine)
    else checkReservedKeys(issues, (value as Record<string, unknown>)[key], joinPath(at, key), machine, seen)
  }
}
