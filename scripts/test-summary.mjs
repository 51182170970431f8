// Prints the closing lines of a test run: "tests: N passed, N failed[, N skipped]"
// from the JSON report vitest wrote (or says there is none: a step before the
// tests failed), then the figures test files left in .tools/figures/:
// faults injected / survived (test/reliability) and bad inputs tried / refused
// cleanly (the bad-input corpus).
import { existsSync, readdirSync, readFileSync } from 'node:fs'

const file = new URL('../.tools/test-results.json', import.meta.url)
if (!existsSync(file)) {
  console.log('tests: no report (a step before the tests failed)')
  process.exit(0)
}
const report = JSON.parse(readFileSync(file, 'utf8'))
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0)
const failed = report.numFailedTests + (report.numRuntimeErrorTestSuites ?? 0)
console.log(`tests: ${report.numPassedTests} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`)

const dir = new URL('../.tools/figures/', import.meta.url)
const figures = existsSync(dir)
  ? readdirSync(dir)
      .filter((name) => name.endsWith('.json'))
      .map((name) => JSON.parse(readFileSync(new URL(name, dir), 'utf8')))
  : []
const sum = (kind, key) => figures.filter((f) => f.kind === kind).reduce((n, f) => n + (f[key] ?? 0), 0)
const faults = figures.filter((f) => f.kind === 'faults')
console.log(
  faults.length > 0
    ? `faults: ${sum('faults', 'injected')} injected, ${sum('faults', 'survived')} survived`
    : 'faults: none injected (the reliability tests need root and LXC)',
)
for (const f of faults.flatMap((f) => f.outcomes ?? []).filter((o) => !o.survived))
  console.log(`  not survived: ${f.fault}`)
if (figures.some((f) => f.kind === 'bad-inputs'))
  console.log(`bad inputs: ${sum('bad-inputs', 'tried')} tried, ${sum('bad-inputs', 'refused')} refused cleanly`)
