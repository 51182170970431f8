/** Scheme data as the reader script prints them: JSON with source positions on lists. */

export interface SchemeList {
  list: Datum[]
  /** The cdr of an improper list: `(a . b)`. */
  tail?: Datum
  line?: number
  col?: number
}

export type Datum =
  | string
  | number
  | boolean
  | SchemeList
  | { symbol: string }
  | { keyword: string }
  | { vector: Datum[] }
  /** Characters and other objects, as Guile writes them. */
  | { other: string }

export const isList = (d: Datum | undefined): d is SchemeList => typeof d === 'object' && d !== null && 'list' in d
export const isSymbol = (d: Datum | undefined, name?: string): d is { symbol: string } =>
  typeof d === 'object' && d !== null && 'symbol' in d && (name === undefined || d.symbol === name)

/** The symbol a list starts with: `load` for `(load "x.scm")`. */
export function headOf(d: Datum | undefined): string | undefined {
  if (!isList(d)) return undefined
  const first = d.list[0]
  return isSymbol(first) ? first.symbol : undefined
}

/** Every list under `d` (itself included), depth first, in reading order. */
export function* lists(d: Datum): Generator<SchemeList> {
  if (isList(d)) {
    yield d
    for (const item of d.list) yield* lists(item)
    if (d.tail !== undefined) yield* lists(d.tail)
  } else if (typeof d === 'object' && d !== null && 'vector' in d) {
    for (const item of d.vector) yield* lists(item)
  }
}

/** How a datum reads in an error message. */
export function describe(d: Datum | undefined): string {
  if (d === undefined) return 'nothing'
  if (typeof d === 'string') return JSON.stringify(d)
  if (typeof d !== 'object') return String(d)
  if ('symbol' in d) return d.symbol
  if ('keyword' in d) return `#:${d.keyword}`
  if ('other' in d) return d.other
  return headOf(d) ? `(${headOf(d)} ...)` : 'a list'
}

const STAGING = new Set(['gexp'])
const UNSTAGING = new Set(['ungexp', 'ungexp-splicing', 'ungexp-native', 'ungexp-native-splicing'])

/** Whether what a list holds is staged: a gexp stages it, an ungexp brings it back, anything else keeps the outer state. */
function stagedWithin(head: string | undefined, staged: boolean): boolean {
  if (STAGING.has(head ?? '')) return true
  if (UNSTAGING.has(head ?? '')) return false
  return staged
}

/**
 * The lists under `d` that run when the config is evaluated: not quoted
 * data, and not code staged in a gexp (`#~`) for later, except what is
 * ungexped back (`#$`) into the evaluation.
 */
export function* evaluatedLists(d: Datum, staged = false): Generator<SchemeList> {
  if (typeof d === 'object' && d !== null && 'vector' in d) {
    for (const item of d.vector) yield* evaluatedLists(item, staged)
    return
  }
  if (!isList(d)) return
  const head = headOf(d)
  if (head === 'quote') return
  const inner = stagedWithin(head, staged)
  if (!inner) yield d
  for (const item of d.list) yield* evaluatedLists(item, inner)
  if (d.tail !== undefined) yield* evaluatedLists(d.tail, inner)
}
