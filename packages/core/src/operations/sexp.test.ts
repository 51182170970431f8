import { describe, expect, it } from 'vitest'
import { toSexp } from './sexp.js'

describe('toSexp (guile-json representation)', () => {
  it('writes objects as alists, arrays as vectors, null as the symbol null, booleans as #t/#f', () => {
    const flat = toSexp({ a: [1, 'x', null], b: { c: true, d: false }, e: [], f: {} }).replace(/\s+/g, ' ')
    expect(flat).toBe('(("a" . #(1 "x" null)) ("b" . (("c" . #t) ("d" . #f))) ("e" . #()) ("f" . ()))')
  })

  it('escapes backslashes and double quotes in strings and keys', () => {
    expect(toSexp({ 'k"': 'a\\b"c' })).toBe('(("k\\"" . "a\\\\b\\"c"))')
  })
})
