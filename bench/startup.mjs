#!/usr/bin/env node
// Start-up cost of the CLI, as ratios to `node -e 0` measured in the same run
// (absolute times vary from machine to machine; ratios much less).
// With 0 and with 10 linked plugins: linked plugins must not slow start-up
// down by more than 20 % (guix-ops reads their manifests, never their code).
// --baseline DIR also times the CLI of another built checkout (say, the
// commit before a change), interleaved with this one, so that before and
// after are measured in the same run under the same machine load.
// Usage: node bench/startup.mjs [--runs N] [--baseline DIR] [--json]
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const binOf = (checkout) => path.join(checkout, 'packages/cli/bin/run.js')
const args = process.argv.slice(2)
const option = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined)
const runs = Number(option('--runs')) || 15
const baselineDir = option('--baseline') && path.resolve(option('--baseline'))
if (baselineDir && !existsSync(binOf(baselineDir))) {
  console.error(`--baseline ${baselineDir}: no packages/cli/bin/run.js there (a built checkout of guix-ops?)`)
  process.exit(2)
}
const stateDir = mkdtempSync(path.join(tmpdir(), 'guix-ops-bench-'))
/** oclif's dirs of one CLI with or without plugins: never the user's own. */
const oclifEnv = (name) =>
  Object.fromEntries(['DATA', 'CACHE', 'CONFIG'].map((d) => [`GUIX_OPS_${d}_DIR`, path.join(stateDir, name, d)]))
const env = { ...process.env, GUIX_OPS_STATE_DIR: stateDir, NO_COLOR: '1', ...oclifEnv('no-plugins') }

function run(argv, runEnv = env) {
  const started = process.hrtime.bigint()
  const result = spawnSync(process.execPath, argv, { env: runEnv, encoding: 'utf8' })
  const ms = Number(process.hrtime.bigint() - started) / 1e6
  if (result.status !== 0) throw new Error(`${argv.join(' ')} failed: ${result.stderr}`)
  return ms
}

/** 20 deployments in state, made the way a user would. */
function makeDeployments(bin) {
  const config = path.join(ROOT, 'examples/quickstart/guix-ops.config.ts')
  run([bin, 'create', config])
  const exported = path.join(stateDir, 'export.json')
  run([bin, 'export', '-d', 'quickstart', '-o', exported])
  for (let i = 1; i < 20; i++) run([bin, 'import', exported, '--name', `quickstart-${i}`])
}

/** A plugin package with a platform and a subcommand, as published plugins ship it. */
function writePlugin(i) {
  const dir = path.join(stateDir, 'plugins', `bench-${i}`)
  mkdirSync(path.join(dir, 'commands'), { recursive: true })
  writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({
      name: `guix-ops-bench-plugin-${i}`,
      version: '1.0.0',
      type: 'module',
      oclif: { commands: './commands' },
      'guix-ops': { apiVersion: 1, platforms: { [`bench-${i}`]: './platform.js' } },
    }),
  )
  writeFileSync(path.join(dir, 'platform.js'), 'throw new Error("listing must not import plugin code")\n')
  writeFileSync(
    path.join(dir, 'commands', `bench-${i}.js`),
    'import { Command } from "@oclif/core"\nexport default class extends Command { async run() {} }\n',
  )
  // `oclif manifest` at pack time: help reads it instead of importing commands.
  const command = { id: `bench-${i}`, pluginName: `guix-ops-bench-plugin-${i}`, pluginType: 'link', aliases: [] }
  writeFileSync(
    path.join(dir, 'oclif.manifest.json'),
    JSON.stringify({
      version: '1.0.0',
      commands: { [command.id]: { ...command, args: {}, flags: {}, hiddenAliases: [] } },
    }),
  )
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'))
  return dir
}

/** The timed cases of one CLI; its ten linked plugins live in oclif dirs of its own. */
function casesOf(label, bin) {
  const withPlugins = { ...env, ...oclifEnv(`ten-plugins-${label}`) }
  for (const dir of pluginDirs) run([bin, 'plugins', 'link', dir, '--no-install'], withPlugins)
  const prefix = label === 'this' ? '' : `${label}: `
  return {
    [`${prefix}guix-ops --version`]: [[bin, '--version']],
    [`${prefix}guix-ops --help`]: [[bin, '--help']],
    [`${prefix}guix-ops list (20 deployments)`]: [[bin, 'list']],
    [`${prefix}guix-ops --help (10 plugins)`]: [[bin, '--help'], withPlugins],
    [`${prefix}guix-ops list (20 deployments, 10 plugins)`]: [[bin, 'list'], withPlugins],
  }
}

makeDeployments(binOf(ROOT))
const pluginDirs = Array.from({ length: 10 }, (_, i) => writePlugin(i))
const cases = {
  'node -e 0': [['-e', '0']],
  ...casesOf('this', binOf(ROOT)),
  ...(baselineDir ? casesOf('baseline', binOf(baselineDir)) : {}),
}
const samples = Object.fromEntries(Object.keys(cases).map((k) => [k, []]))
for (const [argv, runEnv] of Object.values(cases)) run(argv, runEnv) // warm the compile cache and the page cache
for (let i = 0; i < runs; i++) {
  // Interleaved, so that drift in machine load hits every case alike.
  for (const [name, [argv, runEnv]] of Object.entries(cases)) samples[name].push(run(argv, runEnv))
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]
}
const nodeMs = median(samples['node -e 0'])
const rows = Object.entries(samples).map(([name, xs]) => ({
  case: name,
  medianMs: Number(median(xs).toFixed(1)),
  ratio: Number((median(xs) / nodeMs).toFixed(2)),
}))
const ratio = (name) => rows.find((r) => r.case === name).ratio
const percent = (after, before) => Number(((after / before - 1) * 100).toFixed(1))
const COMMANDS = [
  ['--help', 'guix-ops --help', 'guix-ops --help (10 plugins)'],
  ['list', 'guix-ops list (20 deployments)', 'guix-ops list (20 deployments, 10 plugins)'],
]
const growth = COMMANDS.map(([command, without, with10]) => {
  const grown = percent(ratio(with10), ratio(without))
  return { command, percent: grown, withinLimit: grown < 20 }
})
const versusBaseline = baselineDir
  ? COMMANDS.flatMap((names) => names.slice(1)).map((name) => ({
      case: name,
      baselineRatio: ratio(`baseline: ${name}`),
      ratio: ratio(name),
      percent: percent(ratio(name), ratio(`baseline: ${name}`)),
    }))
  : undefined
const report = { node: process.version, runs, baseline: baselineDir, rows, pluginGrowth: growth, versusBaseline }
mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true })
writeFileSync(path.join(ROOT, 'bench/results/startup.json'), `${JSON.stringify(report, null, 2)}\n`)
if (args.includes('--json')) {
  console.log(JSON.stringify(report, null, 2))
} else {
  console.log(`start-up, median of ${runs} runs, node ${process.version}`)
  console.log('| case | median (ms) | ratio to node -e 0 |')
  console.log('| --- | --- | --- |')
  for (const r of rows) console.log(`| ${r.case} | ${r.medianMs} | ${r.ratio} |`)
  console.log('\ngrowth with 10 linked plugins (limit 20 %):')
  for (const g of growth)
    console.log(`  ${g.command}: ${g.percent} % ${g.withinLimit ? '(within)' : '(OVER THE LIMIT)'}`)
  if (versusBaseline) {
    console.log(`\nthis checkout against ${baselineDir} (ratios to node -e 0; negative: faster):`)
    for (const v of versusBaseline) console.log(`  ${v.case}: ${v.baselineRatio} -> ${v.ratio} (${v.percent} %)`)
  }
}
