/**
 * Counts of a reliability test file: faults injected, and how many the tool
 * survived (every assertion after the fault held). Written to
 * .tools/reliability/<file>.json, which scripts/test-summary.mjs adds up.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, it } from 'vitest'
import { ROOT } from '../../support/cli.js'

export const TALLY_DIR: string = path.join(ROOT, '.tools/reliability')

interface Outcome {
  fault: string
  survived: boolean
}

/** The fault cases of one test file; each case is an `it` whose body injects one fault. */
export function faultSuite(file: string) {
  const outcomes: Outcome[] = []
  afterAll(() => {
    // Only cases that ran count: a file skipped (no LXC, not root) injects nothing.
    if (outcomes.length === 0) return
    mkdirSync(TALLY_DIR, { recursive: true })
    const survived = outcomes.filter((o) => o.survived).length
    writeFileSync(
      path.join(TALLY_DIR, `${file}.json`),
      `${JSON.stringify({ injected: outcomes.length, survived, outcomes }, null, 2)}\n`,
    )
  })
  return {
    /** A case that injects one fault; it survived when the body finished without a failed assertion. */
    fault(name: string, body: () => Promise<void>, timeout?: number): void {
      it(
        name,
        async () => {
          const outcome = { fault: name, survived: false }
          outcomes.push(outcome)
          await body()
          outcome.survived = true
        },
        timeout,
      )
    },
  }
}
