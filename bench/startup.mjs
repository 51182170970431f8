#!/usr/bin/env node
// Start-up cost of the CLI, as ratios to `node -e 0` measured in the same run
// (absolute times vary from machine to machine; ratios much less).
// Usage: node bench/startup.mjs [--runs N] [--json]
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const BIN = path.join(ROOT, 'packages/cli/bin/run.js')
const args = process.argv.slice(2)
const runs = Number(args[args.indexOf('--runs') + 1]) || 15
const stateDir = mkdtempSync(path.join(tmpdir(), 'guix-ops-bench-'))
const env = { ...process.env, GUIX_OPS_STATE_DIR: stateDir, NO_COLOR: '1' }

function run(argv) {
  const started = process.hrtime.bigint()
  const result = spawnSync(process.execPath, argv, { env, encoding: 'utf8' })
  const ms = Number(process.hrtime.bigint() - started) / 1e6
  if (result.status !== 0) throw new Error(`${argv.join(' ')} failed: ${result.stderr}`)
  return ms
}

// 20 deployments in state, made the way a user would.
const config = path.join(ROOT, 'examples/quickstart/guix-ops.config.ts')
run([BIN, 'create', config])
const exported = path.join(stateDir, 'export.json')
run([BIN, 'export', '-d', 'quickstart', '-o', exported])
for (let i = 1; i < 20; i++) run([BIN, 'import', exported, '--name', `quickstart-${i}`])

const cases = {
  'node -e 0': ['-e', '0'],
  'guix-ops --version': [BIN, '--version'],
  'guix-ops --help': [BIN, '--help'],
  'guix-ops list (20 deployments)': [BIN, 'list'],
}
const samples = Object.fromEntries(Object.keys(cases).map((k) => [k, []]))
for (const argv of Object.values(cases)) run(argv) // warm the compile cache and the page cache
for (let i = 0; i < runs; i++) {
  // Interleaved, so that drift in machine load hits every case alike.
  for (const [name, argv] of Object.entries(cases)) samples[name].push(run(argv))
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]
}
const baseline = median(samples['node -e 0'])
const rows = Object.entries(samples).map(([name, xs]) => ({
  case: name,
  medianMs: Number(median(xs).toFixed(1)),
  ratio: Number((median(xs) / baseline).toFixed(2)),
}))
const report = { node: process.version, runs, rows }
mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true })
writeFileSync(path.join(ROOT, 'bench/results/startup.json'), `${JSON.stringify(report, null, 2)}\n`)
if (args.includes('--json')) {
  console.log(JSON.stringify(report, null, 2))
} else {
  console.log(`start-up, median of ${runs} runs, node ${process.version}`)
  console.log('| case | median (ms) | ratio to node -e 0 |')
  console.log('| --- | --- | --- |')
  for (const r of rows) console.log(`| ${r.case} | ${r.medianMs} | ${r.ratio} |`)
}
