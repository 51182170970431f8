/**
 * JSON as an s-expression in guile-json's representation, so Guix users can
 * `(read)` an export in Guile: objects are association lists with string
 * keys, arrays are vectors, null is the symbol `null`, booleans are #t/#f.
 */
import type { JsonValue } from '@guix-ops/plugin-api'

function atom(value: string | number | boolean | null): string {
  if (value === null) return 'null'
  if (typeof value === 'boolean') return value ? '#t' : '#f'
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '0'
  // Scheme string literal: only backslash and double quote need escaping.
  return `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`
}

export function toSexp(value: JsonValue, indent = 0): string {
  const pad = ' '.repeat(indent)
  if (Array.isArray(value)) {
    if (value.length === 0) return '#()'
    return `#(${value.map((v, i) => (i === 0 ? '' : `\n${pad}  `) + toSexp(v, indent + 2)).join('')})`
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
    if (entries.length === 0) return '()'
    const parts = entries.map(([k, v], i) => {
      const lead = i === 0 ? '' : `\n${pad} `
      return `${lead}(${atom(k)} . ${toSexp(v, indent + 2 + k.length + 6)})`
    })
    return `(${parts.join('')})`
  }
  return atom(value)
}
