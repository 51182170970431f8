#!/usr/bin/env node
// No-op redeploy of N managed hosts (throwaway sshd processes on 127.0.0.1,
// each its own host key) against a baseline of `ssh HOST true` to the same
// hosts, measured in the same run. The system driver is the test fixture
// that keeps one file per host in a temp dir, so nothing on this machine
// changes outside it. Usage: node bench/deploy.mjs [--sizes 1,10,30] [--runs 3]
// [--baseline DIR]: also the same deploys by another built checkout's CLI,
// interleaved, on the same hosts and state (to compare before and after).
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { startSshd } from '../test/support/sshd.ts'
import { pinnedSshArgs } from './pinned-ssh.mjs'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const { DEFAULT_PARALLEL } = await import(path.join(ROOT, 'packages/core/dist/deploy/parallel.js'))
const BIN = path.join(ROOT, 'packages/cli/bin/run.js')
const args = process.argv.slice(2)
const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback)
const sizes = option('--sizes', '1,10,30').split(',').map(Number)
const runs = Number(option('--runs', '3'))
const baselineDir = option('--baseline', undefined)
const BASELINE_BIN = baselineDir && path.join(path.resolve(baselineDir), 'packages/cli/bin/run.js')
const hasGnuTime = existsSync('/usr/bin/time')

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
function timed(cmd, argv, env) {
  const started = process.hrtime.bigint()
  const result = spawnSync(cmd, argv, { env: { ...process.env, ...env }, encoding: 'utf8' })
  const ms = Number(process.hrtime.bigint() - started) / 1e6
  if (result.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} failed: ${result.stderr}`)
  return { ms, stderr: result.stderr }
}

const rows = []
for (const n of sizes) {
  const work = mkdtempSync(path.join(tmpdir(), 'guix-ops-bench-deploy-'))
  const hosts = []
  for (let i = 0; i < n; i++) hosts.push(await startSshd())
  try {
    const machines = hosts
      .map(
        (h, i) =>
          `    m${i}: { platform: { type: 'managed', host: '127.0.0.1', port: ${h.port}, user: '${h.user}', identity: '${h.identity}' }, system: { type: 'marker', path: '${work}/m${i}', content: 'x' } },`,
      )
      .join('\n')
    const config = path.join(work, 'guix-ops.config.ts')
    writeFileSync(
      config,
      `export default { name: 'bench', plugins: ['${path.join(ROOT, 'test/fixtures/plugins/marker-system')}'], machines: {\n${machines}\n} }\n`,
    )
    const stateDir = path.join(work, 'state')
    mkdirSync(stateDir)
    const env = { GUIX_OPS_STATE_DIR: stateDir }
    execFileSync(process.execPath, [BIN, 'create', config], { env: { ...process.env, ...env } })
    timed(process.execPath, [BIN, 'deploy', '-d', 'bench'], env) // the first deploy changes everything; not timed

    // Baseline: `ssh HOST true` to every host, as many at a time as deploy's default --parallel.
    const known = path.join(work, 'known_hosts')
    writeFileSync(known, `${hosts.map((h) => `[127.0.0.1]:${h.port} ${h.hostKey}`).join('\n')}\n`)
    const sshTrue = (h) => pinnedSshArgs({ known, identity: h.identity, port: h.port, login: `${h.user}@127.0.0.1` })
    const baseline = []
    const noop = []
    const noopBase = []
    let peakKb = 0
    let peakKbBase = 0
    /** A no-op deploy by the CLI at `bin`: its time and peak RSS in KB (0 without GNU time). */
    const deploy = (bin) => {
      const run = hasGnuTime
        ? timed('/usr/bin/time', ['-f', 'maxrss=%M', process.execPath, bin, 'deploy', '-d', 'bench'], env)
        : timed(process.execPath, [bin, 'deploy', '-d', 'bench'], env)
      const rss = /maxrss=(\d+)/.exec(run.stderr)
      return { ms: run.ms, kb: rss ? Number(rss[1]) : 0 }
    }
    for (let r = 0; r < runs; r++) {
      const started = process.hrtime.bigint()
      for (let i = 0; i < hosts.length; i += DEFAULT_PARALLEL) {
        await Promise.all(
          hosts.slice(i, i + DEFAULT_PARALLEL).map(
            (h) =>
              new Promise((resolve, reject) => {
                const child = spawn('ssh', sshTrue(h), { stdio: 'ignore' })
                child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`ssh exited ${code}`))))
              }),
          ),
        )
      }
      baseline.push(Number(process.hrtime.bigint() - started) / 1e6)
      const run = deploy(BIN)
      noop.push(run.ms)
      peakKb = Math.max(peakKb, run.kb)
      if (BASELINE_BIN) {
        const base = deploy(BASELINE_BIN)
        noopBase.push(base.ms)
        peakKbBase = Math.max(peakKbBase, base.kb)
      }
    }
    rows.push({
      hosts: n,
      noopMs: Math.round(median(noop)),
      sshTrueMs: Math.round(median(baseline)),
      peakRssMb: Math.round(peakKb / 1024),
      ...(BASELINE_BIN
        ? { baselineNoopMs: Math.round(median(noopBase)), baselinePeakRssMb: Math.round(peakKbBase / 1024) }
        : {}),
    })
  } finally {
    for (const h of hosts) await h.stop()
  }
}
const one = rows.find((r) => r.hosts === 1)
const thirty = rows.find((r) => r.hosts === Math.max(...sizes))
const report = {
  node: process.version,
  runs,
  rows,
  noop1OverSshTrue1: one ? Number((one.noopMs / one.sshTrueMs).toFixed(2)) : undefined,
  noopMaxOverNoop1: one && thirty ? Number((thirty.noopMs / one.noopMs).toFixed(2)) : undefined,
}
mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true })
writeFileSync(path.join(ROOT, 'bench/results/deploy.json'), `${JSON.stringify(report, null, 2)}\n`)
console.log(`| hosts | no-op deploy (ms) | ssh true to each, ${DEFAULT_PARALLEL} at a time (ms) | peak RSS (MB) |`)
console.log('| --- | --- | --- | --- |')
for (const r of rows) console.log(`| ${r.hosts} | ${r.noopMs} | ${r.sshTrueMs} | ${r.peakRssMb || '-'} |`)
if (BASELINE_BIN) {
  console.log(`\nbaseline ${baselineDir}, same hosts, interleaved:`)
  console.log('| hosts | no-op deploy (ms) | baseline (ms) | peak RSS (MB) | baseline peak RSS (MB) |')
  console.log('| --- | --- | --- | --- | --- |')
  for (const r of rows) {
    console.log(
      `| ${r.hosts} | ${r.noopMs} | ${r.baselineNoopMs} | ${r.peakRssMb || '-'} | ${r.baselinePeakRssMb || '-'} |`,
    )
  }
}
console.log(`no-op T(1) / ssh true (1 host): ${report.noop1OverSshTrue1}`)
console.log(`no-op T(${Math.max(...sizes)}) / T(1): ${report.noopMaxOverNoop1}`)
