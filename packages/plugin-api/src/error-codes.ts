/**
 * A package's error codes, declared in one place (its `codes.ts`) with what
 * each means and what to do about it. Call sites use the constants, never a
 * string; the error reference (docs/errors.md) is made from the same file.
 *
 * ```ts
 * export const AcmeError = { Quota: 'E_ACME_QUOTA' } as const
 * export const errorReference: readonly ErrorCodeDoc[] = describeErrorCodes('E_ACME_', AcmeError, {
 *   Quota: { meaning: 'the account has no machines left', hint: 'raise the quota in the console' },
 * })
 * ```
 */

/** What one code means and what a user can do about it. */
export interface ErrorCodeInfo {
  /** What went wrong, in a few words. */
  meaning: string
  /** What a user can do about it. */
  hint: string
}

/** One line of the error reference. */
export interface ErrorCodeDoc extends ErrorCodeInfo {
  /** Stable: scripts match on it. */
  code: string
}

/**
 * The reference of a package's codes, in the order declared: one entry for
 * each code, no more (the types see to it). Each code must start with
 * `prefix` (a plugin's is `E_` and its name: `E_QEMU_`), so that the codes
 * of two packages never clash; a code without it, or declared twice, throws
 * when the module loads.
 */
export function describeErrorCodes<const T extends Record<string, string>>(
  prefix: string,
  codes: T,
  info: { readonly [K in keyof T]: ErrorCodeInfo },
): readonly ErrorCodeDoc[] {
  const seen = new Set<string>()
  return Object.entries(codes).map(([name, code]) => {
    if (!code.startsWith(prefix)) throw new Error(`error code ${code} does not start with ${prefix}`)
    if (seen.has(code)) throw new Error(`error code ${code} is declared twice`)
    seen.add(code)
    const { meaning, hint } = info[name as keyof T]
    return { code, meaning, hint }
  })
}
