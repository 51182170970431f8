// Prints the closing line of a test run, "tests: N passed, N failed[, N skipped]",
// from the JSON report vitest wrote; says so when there is none (a step before the tests failed).
import { existsSync, readFileSync } from 'node:fs'

const file = new URL('../.tools/test-results.json', import.meta.url)
if (!existsSync(file)) {
  console.log('tests: no report (a step before the tests failed)')
  process.exit(0)
}
const report = JSON.parse(readFileSync(file, 'utf8'))
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0)
const failed = report.numFailedTests + (report.numRuntimeErrorTestSuites ?? 0)
console.log(`tests: ${report.numPassedTests} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`)
