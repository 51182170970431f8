#!/usr/bin/env node
// Provision + deploy of N = 1, 10 and 30 lxc containers (debian driver, one
// file each) through the built CLI, with the base container already cached
// (built first, not timed). Medians over rounds, T(30)/T(1), and the peak RSS
// of the guix-ops process (VmHWM, read from /proc while it runs). Each round
// destroys its containers afterwards. Needs root and LXC (see plugins/lxc).
// Where a deploy's time goes is read from its progress lines: per machine,
// clone (creating -> starting), boot (starting -> waiting for sshd), SSH wait
// (-> connect) and the system deploy (connect -> done); medians and the
// slowest machine of each round's phases are printed. `node -e 0` is timed
// first, as the yardstick. Where the CPU goes is read from /proc: seconds of
// CPU of the guix-ops process itself, of the processes it ran and reaped
// (lxc-*, ssh-keygen...), and of the whole host (of 2 s per second on 2 cores).
// Usage: node bench/lxc.mjs [--rounds N] [--sizes 1,10,30] [--json]
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const BIN = path.join(ROOT, 'packages/cli/bin/run.js')
const args = process.argv.slice(2)
const flag = (name, fallback) => {
  const i = args.indexOf(name)
  return i >= 0 ? args[i + 1] : fallback
}
const rounds = Number(flag('--rounds', '3'))
const sizes = flag('--sizes', '1,10,30').split(',').map(Number)
const asJson = args.includes('--json')

const { ensureBase } = await import(path.join(ROOT, 'plugins/lxc/dist/base.js'))
const lxcOptions = (await import(path.join(ROOT, 'plugins/lxc/dist/options.js'))).lxcOptions
const defaults = (await lxcOptions['~standard'].validate({})).value
await ensureBase(defaults.release, defaults.arch, (m) => process.stderr.write(`${m}\n`))

function config(n) {
  const machines = Array.from(
    { length: n },
    (_, i) =>
      `    m${i}: { platform: { type: 'lxc' }, system: { type: 'debian', files: { '/etc/bench': 'm${i}\\n' } } },`,
  )
  return `export default {\n  name: 'bench',\n  machines: {\n${machines.join('\n')}\n  },\n}\n`
}

/** Runs the CLI; resolves with its wall time and the peak resident set it reached. */
function cli(argv, stateDir) {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn(process.execPath, [BIN, ...argv], {
      env: { ...process.env, GUIX_OPS_STATE_DIR: stateDir, NO_COLOR: '1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    let peakKiB = 0
    let cpu = { self: 0, children: 0 }
    const hostBefore = hostBusy()
    let stderr = ''
    const seen = []
    child.stderr.on('data', (d) => {
      const now = performance.now() - started
      const lines = (stderr.slice(stderr.lastIndexOf('\n') + 1) + d).split('\n').slice(0, -1)
      for (const line of lines) seen.push([now, line])
      stderr += d
    })
    const poll = setInterval(() => {
      try {
        const hwm = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))
        if (hwm) peakKiB = Math.max(peakKiB, Number(hwm[1]))
        cpu = processCpu(child.pid)
      } catch {}
    }, 100)
    child.on('error', reject)
    child.on('close', (code) => {
      clearInterval(poll)
      if (code !== 0) reject(new Error(`guix-ops ${argv.join(' ')} exited ${code}: ${stderr.slice(-2000)}`))
      else
        resolve({
          ms: performance.now() - started,
          peakMiB: peakKiB / 1024,
          phases: phases(seen),
          cpu: { ...cpu, host: hostBusy() - hostBefore },
        })
    })
  })
}

/** CPU seconds of a process and of its reaped children, from /proc/PID/stat (clock ticks of 1/100 s). */
function processCpu(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
  return {
    self: (Number(fields[11]) + Number(fields[12])) / 100,
    children: (Number(fields[13]) + Number(fields[14])) / 100,
  }
}

/** CPU seconds the host has spent busy (all but idle and iowait) since it booted. */
function hostBusy() {
  const ticks = readFileSync('/proc/stat', 'utf8').split('\n')[0].split(/\s+/).slice(1).map(Number)
  return (ticks.reduce((a, b) => a + b, 0) - ticks[3] - ticks[4]) / 100
}

/** The progress line that starts each phase, in order; a phase ends where the next starts. */
const MARKS = [
  ['clone', /creating the machine/],
  ['boot', /starting the container/],
  ['ssh', /waiting for sshd/],
  ['deploy', /connect: /],
  ['end', /done: /],
]

/** Seconds per phase, per machine, from the times its progress lines arrived. */
function phases(seen) {
  const at = {}
  for (const [t, line] of seen) {
    const m = /^\[([^\]]+)\] (.*)$/.exec(line)
    if (!m) continue
    at[m[1]] ??= {}
    for (const [phase, re] of MARKS) if (re.test(m[2])) at[m[1]][phase] ??= t
  }
  const out = {}
  for (const [i, [phase]] of MARKS.slice(0, -1).entries()) {
    const next = MARKS[i + 1][0]
    out[phase] = Object.values(at)
      .filter((a) => a[phase] !== undefined && a[next] !== undefined)
      .map((a) => (a[next] - a[phase]) / 1000)
  }
  return out
}

function nodeBaseline() {
  const runs = []
  for (let i = 0; i < 5; i++) {
    const t = performance.now()
    spawnSync(process.execPath, ['-e', '0'])
    runs.push(performance.now() - t)
  }
  return median(runs)
}

async function round(n) {
  const dir = mkdtempSync(path.join(tmpdir(), 'guix-ops-bench-lxc-'))
  const stateDir = path.join(dir, 'state')
  writeFileSync(path.join(dir, 'guix-ops.config.ts'), config(n))
  try {
    await cli(['create', path.join(dir, 'guix-ops.config.ts')], stateDir)
    return await cli(['deploy', '-d', 'bench', '--parallel', String(Math.max(10, n))], stateDir)
  } finally {
    await cli(['destroy', '-d', 'bench', '--yes'], stateDir).catch((e) => process.stderr.write(`${e.message}\n`))
    rmSync(dir, { recursive: true, force: true })
  }
}

function median(xs) {
  const sorted = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}
const nodeMs = nodeBaseline()
process.stderr.write(`node -e 0: ${nodeMs.toFixed(0)} ms\n`)
const results = {}
for (const n of sizes) {
  const runs = []
  for (let r = 0; r < rounds; r++) {
    try {
      runs.push(await round(n))
    } catch (error) {
      process.stderr.write(`N=${n} round ${r + 1} failed: ${error.message}\n`)
      continue
    }
    const { ms, peakMiB, phases: p, cpu } = runs.at(-1)
    const spread = Object.entries(p)
      .map(([phase, xs]) => `${phase} ${median(xs).toFixed(1)}/${Math.max(...xs).toFixed(1)}`)
      .join(', ')
    process.stderr.write(
      `N=${n} round ${r + 1}: ${(ms / 1000).toFixed(1)} s, peak RSS ${peakMiB.toFixed(0)} MiB; per machine, median/max s: ${spread}; ` +
        `CPU s: guix-ops ${cpu.self.toFixed(1)}, its children ${cpu.children.toFixed(1)}, host ${cpu.host.toFixed(1)}; load ${loadavg()[0].toFixed(1)}\n`,
    )
  }
  if (runs.length === 0) continue
  results[n] = {
    medianSeconds: median(runs.map((x) => x.ms)) / 1000,
    peakRssMiB: Math.max(...runs.map((x) => x.peakMiB)),
    rounds: runs.map((x) => x.ms / 1000),
    phases: runs.map((x) => x.phases),
  }
}
const measured = sizes.filter((n) => results[n])
const first = results[measured[0]]
const last = results[measured.at(-1)]
const summary = { rounds, nodeMs, results, ratio: last && first ? last.medianSeconds / first.medianSeconds : undefined }
if (asJson) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`)
else {
  for (const n of measured)
    process.stdout.write(
      `N=${String(n).padStart(2)}  median ${results[n].medianSeconds.toFixed(1)} s  peak RSS ${results[n].peakRssMiB.toFixed(0)} MiB\n`,
    )
  process.stdout.write(
    `T(${measured.at(-1)})/T(${measured[0]}) = ${summary.ratio?.toFixed(2)}; node -e 0: ${nodeMs.toFixed(0)} ms\n`,
  )
}
