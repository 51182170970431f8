/**
 * The fault cases of a reliability test file, counted: faults injected, and
 * how many the tool survived (every assertion after the fault held). The
 * counts go to the closing summary of scripts/test.
 */
import { afterAll, it } from 'vitest'
import { writeFigures } from '../../support/figures.js'

interface Outcome {
  fault: string
  survived: boolean
}

export function faultSuite(testFile: string) {
  const outcomes: Outcome[] = []
  afterAll(() => {
    // Only cases that ran count: a file skipped (no LXC, not root) injects nothing.
    if (outcomes.length === 0) return
    const survived = outcomes.filter((o) => o.survived).length
    writeFigures(testFile, { kind: 'faults', injected: outcomes.length, survived, outcomes })
  })
  return {
    /** A case that injects one fault; it survived when the body finished with no failed assertion. */
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
