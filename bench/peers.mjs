#!/usr/bin/env node
// The same work for guix-ops, pyinfra and Ansible: N hosts (sshd processes on
// 127.0.0.N, each with its own /var/lib), per host a directory and four files
// (one 0600), host keys checked by every tool. Cases: cold (empty hosts, no
// state), no-op (the same again), change (one file's content). Tools run in
// rotation, each round starting with the next; every run is verified on every
// host (contents and modes). Prints medians of the rounds with ratios against
// guix-ops, each tool's peak RSS (its whole process tree), and the baselines
// `node -e 0`, `ssh true` to one host and to all N at once, from the same run.
// The hosts share this machine's cores with the tool, so it also prints each
// run's CPU: the tool's (its whole tree), the hosts' (each sshd and all it ran),
// and their sum over the cores, the floor no wall time here can go below;
// T(max N)/T(min N) of the wall time beside that of the floor.
//
//   node bench/peers.mjs [--n 1,10,30] [--rounds 3] [--tools guix-ops,pyinfra,ansible]
//                        [--parallel 1,2,4] [--baseline DIR] [--json]
// pyinfra runs from a source checkout: PYINFRA=/path/to/pyinfra (see bench/README.md).
// --parallel runs guix-ops once per value (`deploy --parallel P`) instead of its default.
// --baseline DIR also runs another built checkout's CLI as a tool of its own (before/after in one run).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { keygen } from '../test/support/sshd.ts'
import { hostsCpuMs, hostsUnavailable, resetHost, startHosts, stopHosts, verifyHost } from './peers/hosts.mjs'
import { reapedCpuMs, run } from './peers/measure.mjs'
import { ansible, guixOps, pyinfra, SITE_DIR, SITE_FILES } from './peers/tools.mjs'
import { pinnedSshArgs } from './pinned-ssh.mjs'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const args = process.argv.slice(2)
const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback)
const sizes = option('--n', '1,10,30').split(',').map(Number)
const rounds = Number(option('--rounds', '3'))
const wanted = option('--tools', 'guix-ops,pyinfra,ansible').split(',')
const parallels = option('--parallel', '')
const baseline = option('--baseline', '')
const CASES = ['cold', 'no-op', 'change']
const CORES = availableParallelism()

const why = hostsUnavailable()
if (why) {
  console.log(`bench/peers skipped: ${why}`)
  process.exit(0)
}

const candidates = []
if (wanted.includes('guix-ops')) {
  if (parallels) for (const p of parallels.split(',')) candidates.push(guixOps({ root: ROOT, parallel: Number(p) }))
  else candidates.push(guixOps({ root: ROOT }))
  if (baseline) candidates.push(guixOps({ root: path.resolve(baseline), label: 'guix-ops-baseline' }))
}
if (wanted.includes('pyinfra')) candidates.push(pyinfra())
if (wanted.includes('ansible')) candidates.push(ansible())
const tools = candidates.filter((t) => {
  const reason = t.unavailable()
  if (reason) console.log(`skipping ${t.name}: ${reason}`)
  return !reason
})

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

const seconds = (ms, digits = 2) => (ms / 1000).toFixed(digits)

/** Medians of a case's runs; the floor is that of the median CPU times. */
function summary(xs) {
  const cpuMs = median(xs.map((x) => x.cpuMs))
  const hostsCpuMs = median(xs.map((x) => x.hostsCpuMs))
  return {
    ms: Math.round(median(xs.map((x) => x.ms))),
    rssMb: Math.round(Math.max(...xs.map((x) => x.rssKb)) / 1024),
    cpuMs: Math.round(cpuMs),
    hostsCpuMs: Math.round(hostsCpuMs),
    floorMs: Math.round((cpuMs + hostsCpuMs) / CORES),
  }
}

/** The local site/ folder every tool deploys; `version` changes app.conf only. */
function writeSite(work, version) {
  const site = { dir: SITE_DIR, dirMode: 0o755, files: {} }
  mkdirSync(path.join(work, 'site'), { recursive: true })
  for (const [name, mode] of Object.entries(SITE_FILES)) {
    const content =
      name === 'app.conf'
        ? `# app\nversion = ${version}\n${'option = value\n'.repeat(20)}`
        : `${name}\n${'line of text for the bench\n'.repeat(30)}`
    writeFileSync(path.join(work, 'site', name), content)
    site.files[`${SITE_DIR}/${name}`] = { content, mode }
  }
  return site
}

async function baselines(hosts, identity, known) {
  const ssh = (h) => ['ssh', ...pinnedSshArgs({ known, identity, port: h.port, login: `root@${h.address}` })]
  const node = await run([process.execPath, '-e', '0'])
  const one = await run(ssh(hosts[0]))
  const hostsBefore = await hostsCpuMs(hosts)
  const reaped = reapedCpuMs()
  const started = process.hrtime.bigint()
  await Promise.all(hosts.map((h) => run(ssh(h))))
  const sshTrueAll = Number(process.hrtime.bigint() - started) / 1e6
  return {
    node: node.ms,
    sshTrue: one.ms,
    sshTrueAll,
    sshTrueAllCpuMs: reapedCpuMs() - reaped,
    sshTrueAllHostsCpuMs: (await hostsCpuMs(hosts)) - hostsBefore,
  }
}

async function oneTool(setup, hosts, work) {
  const out = {}
  let site = writeSite(work, 1)
  for (const h of hosts) resetHost(h)
  setup.beforeCold()
  for (const kase of CASES) {
    if (kase === 'change') site = writeSite(work, 2)
    const hostsBefore = await hostsCpuMs(hosts)
    const result = await run(setup.argv, { env: setup.env, cwd: setup.cwd, detached: setup.detached })
    const hostsCpu = (await hostsCpuMs(hosts)) - hostsBefore
    for (const h of hosts) verifyHost(h, site)
    out[kase] = { ms: result.ms, rssKb: result.peakRssKb, cpuMs: result.cpuMs, hostsCpuMs: hostsCpu }
  }
  setup.after()
  return out
}

const results = []
for (const n of sizes) {
  const work = mkdtempSync(path.join(tmpdir(), 'guix-ops-bench-peers-'))
  const identity = path.join(work, 'client_ed25519')
  keygen(identity)
  const hosts = await startHosts(work, n, identity)
  try {
    const known = path.join(work, 'known_hosts')
    writeFileSync(known, hosts.map((h) => `[${h.address}]:${h.port} ${h.hostKey}\n`).join(''))
    const setups = new Map(tools.map((t) => [t.name, t.setup(work, hosts, identity)]))
    const runs = Object.fromEntries(tools.map((t) => [t.name, { cold: [], 'no-op': [], change: [] }]))
    const base = { node: [], sshTrue: [], sshTrueAll: [], sshTrueAllCpuMs: [], sshTrueAllHostsCpuMs: [] }
    for (let r = 0; r < rounds; r++) {
      const b = await baselines(hosts, identity, known)
      for (const k of Object.keys(base)) base[k].push(b[k])
      const order = tools.map((_, i) => tools[(i + r) % tools.length])
      for (const tool of order) {
        const got = await oneTool(setups.get(tool.name), hosts, work)
        for (const kase of CASES) runs[tool.name][kase].push(got[kase])
        process.stderr.write(
          `N=${n} round ${r + 1} ${tool.name}: ${CASES.map((c) => `${c} ${Math.round(got[c].ms)} ms`).join(', ')}\n`,
        )
      }
    }
    results.push({
      n,
      baselines: Object.fromEntries(Object.entries(base).map(([k, xs]) => [k, Math.round(median(xs))])),
      tools: Object.fromEntries(
        Object.entries(runs).map(([name, byCase]) => [
          name,
          Object.fromEntries(CASES.map((c) => [c, summary(byCase[c])])),
        ]),
      ),
    })
  } finally {
    await stopHosts(hosts)
    rmSync(work, { recursive: true, force: true })
  }
}

const report = { node: process.version, cores: CORES, rounds, tools: tools.map((t) => t.name), results }
if (args.includes('--json')) console.log(JSON.stringify(report, null, 2))
else {
  printTable(report)
  printCpu(report)
}
mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true })
writeFileSync(path.join(ROOT, 'bench/results/peers.json'), `${JSON.stringify(report, null, 2)}\n`)

function printTable({ tools: names, results: rows }) {
  const ref = names[0]
  const head = names.map((t) => (t === ref ? `${t} (s)` : `${t} (s, ratio to ${ref})`))
  console.log(`| N | case | ${head.join(' | ')} | ${names.map((t) => `${t} peak RSS`).join(' | ')} |`)
  console.log(`|${' --- |'.repeat(2 + 2 * names.length)}`)
  for (const row of rows) {
    for (const c of CASES) {
      const refMs = row.tools[ref][c].ms
      const times = names.map((t) => {
        const ms = row.tools[t][c].ms
        return t === ref ? (ms / 1000).toFixed(2) : `${(ms / 1000).toFixed(2)} (${(ms / refMs).toFixed(2)})`
      })
      console.log(
        `| ${row.n} | ${c} | ${times.join(' | ')} | ${names.map((t) => `${row.tools[t][c].rssMb} MB`).join(' | ')} |`,
      )
    }
  }
  for (const { n, baselines: b } of rows)
    console.log(
      `N=${n} baselines: node -e 0 ${b.node} ms, ssh true (1 host) ${b.sshTrue} ms, ssh true to all ${n} at once ${b.sshTrueAll} ms (ssh CPU ${seconds(b.sshTrueAllCpuMs, 1)} s, hosts CPU ${seconds(b.sshTrueAllHostsCpuMs, 1)} s)`,
    )
}

/** Each run's CPU beside its wall time, then how wall time and floor grow from the fewest hosts to the most. */
function printCpu({ cores, tools: names, results: rows }) {
  console.log(`\nCPU time, and the floor it sets on ${cores} cores: (tool CPU + hosts CPU) / ${cores}`)
  console.log('| N | case | tool | wall (s) | tool CPU (s) | hosts CPU (s) | floor (s) | wall / floor |')
  console.log(`|${' --- |'.repeat(8)}`)
  for (const row of rows)
    for (const c of CASES)
      for (const t of names) {
        const { ms, cpuMs, hostsCpuMs, floorMs } = row.tools[t][c]
        const cells = [seconds(ms), seconds(cpuMs), seconds(hostsCpuMs), seconds(floorMs), (ms / floorMs).toFixed(2)]
        console.log(`| ${row.n} | ${c} | ${t} | ${cells.join(' | ')} |`)
      }
  if (rows.length < 2) return
  const few = rows.reduce((a, b) => (b.n < a.n ? b : a))
  const many = rows.reduce((a, b) => (b.n > a.n ? b : a))
  for (const t of names) {
    const ratio = (c, key) => (many.tools[t][c][key] / few.tools[t][c][key]).toFixed(1)
    const cases = CASES.map((c) => `${c} ${ratio(c, 'ms')} (floor ${ratio(c, 'floorMs')})`)
    console.log(`${t} T(${many.n})/T(${few.n}): ${cases.join(', ')}`)
  }
}
