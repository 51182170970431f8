// Runs a command and measures its wall time, its CPU time and the peak
// resident memory of its whole process tree (the sum over the command and its
// descendants, sampled from /proc), since Ansible and pyinfra fork workers and
// ssh. Also the CPU time of other process trees (the bench's hosts).
import { execFileSync, spawn } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'

const PAGE_KB = 4
// /proc counts CPU time in clock ticks.
const TICK_MS = 1000 / Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }))

/** The fields of /proc/PID/stat from the 3rd (state) on, so field F is at F - 3; undefined once it ended. */
function statFields(pid) {
  let stat
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'latin1')
  } catch {
    return undefined
  }
  // The command name (field 2) may hold spaces and parentheses: split after its last ')'.
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')
}

/** utime + stime + cutime + cstime (fields 14-17): a process's own CPU and that of the children it reaped. */
const cpuTicks = (fields) => fields.slice(11, 15).reduce((sum, f) => sum + Number(f), 0)

/** pid -> { ppid, rssKb, cpuTicks } of every process now. */
function processes() {
  const table = new Map()
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    const fields = statFields(name)
    if (!fields) continue // it ended meanwhile
    table.set(Number(name), {
      ppid: Number(fields[1]),
      rssKb: Number(fields[21]) * PAGE_KB,
      cpuTicks: cpuTicks(fields),
    })
  }
  return table
}

/** The pids of `roots` and of all their descendants in `table`. */
function treePids(roots, table) {
  const children = new Map()
  for (const [pid, p] of table) children.set(p.ppid, [...(children.get(p.ppid) ?? []), pid])
  const pids = []
  const stack = [...roots]
  while (stack.length > 0) {
    const pid = stack.pop()
    pids.push(pid)
    stack.push(...(children.get(pid) ?? []))
  }
  return pids
}

function treeRssKb(root) {
  const table = processes()
  return treePids([root], table).reduce((sum, pid) => sum + (table.get(pid)?.rssKb ?? 0), 0)
}

/**
 * CPU (ms) used so far by the trees of `roots`: each live process's own time and that of the
 * children it reaped, so a child's time counts once whether it still runs or has been reaped.
 */
export function treeCpuMs(roots) {
  const table = processes()
  return treePids(roots, table).reduce((sum, pid) => sum + (table.get(pid)?.cpuTicks ?? 0), 0) * TICK_MS
}

/** Whether any of `pids` has a child process now. */
export function anyChildren(pids) {
  const parents = new Set(pids)
  for (const p of processes().values()) if (parents.has(p.ppid)) return true
  return false
}

/**
 * CPU (ms) of every child this process has reaped: once a command it spawned has
 * exited, that command's whole tree, as long as nothing else of ours exited meanwhile.
 */
export function reapedCpuMs() {
  const fields = statFields('self')
  return (Number(fields[13]) + Number(fields[14])) * TICK_MS
}

/** The pids of the processes whose command line holds `text`. */
export function pidsWithArg(text) {
  const pids = []
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      if (readFileSync(`/proc/${name}/cmdline`, 'latin1').includes(text)) pids.push(Number(name))
    } catch {
      // it ended meanwhile
    }
  }
  return pids
}

/** pid -> CPU (ms) so far of each of `pids` still running. */
function cpuByPid(pids) {
  const byPid = new Map()
  for (const pid of pids) {
    const fields = statFields(pid)
    if (fields) byPid.set(pid, cpuTicks(fields) * TICK_MS)
  }
  return byPid
}

/** CPU (ms) the processes of `after` used since `before` (a process new in `after` counts from 0). */
function cpuSince(before, after) {
  let ms = 0
  for (const [pid, now] of after) ms += now - (before.get(pid) ?? 0)
  return ms
}

/**
 * { ms, cpuMs, peakRssKb, stdout, stderr }; throws with the output when the command fails.
 * cpuMs holds only when the command runs alone (see reapedCpuMs), plus what the processes
 * `detached()` names used meanwhile: those a tool leaves running outside its tree, whose
 * CPU never reaches ours (Ansible's SSH ControlPersist masters).
 */
export function run(argv, { env = {}, cwd, sampleMs = 40, detached = () => [] } = {}) {
  return new Promise((resolve, reject) => {
    const reaped = reapedCpuMs()
    const left = cpuByPid(detached())
    const started = process.hrtime.bigint()
    const child = spawn(argv[0], argv.slice(1), {
      env: { ...process.env, ...env },
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => {
      stdout += d
    })
    child.stderr.on('data', (d) => {
      stderr += d
    })
    let peak = 0
    const sample = () => {
      if (child.exitCode === null) peak = Math.max(peak, treeRssKb(child.pid))
    }
    const timer = setInterval(sample, sampleMs)
    child.on('error', reject)
    child.on('close', (code) => {
      clearInterval(timer)
      const ms = Number(process.hrtime.bigint() - started) / 1e6
      const cpuMs = reapedCpuMs() - reaped + cpuSince(left, cpuByPid(detached()))
      if (code !== 0)
        reject(new Error(`${argv.join(' ')} exited ${code}\n${stdout.slice(-3000)}\n${stderr.slice(-3000)}`))
      else resolve({ ms, cpuMs, peakRssKb: peak, stdout, stderr })
    })
  })
}
