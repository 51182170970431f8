// Runs a command and measures its wall time and the peak resident memory of
// its whole process tree (the sum over the command and its descendants,
// sampled from /proc), since Ansible and pyinfra fork workers and ssh.
import { spawn } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'

const PAGE_KB = 4

/** pid -> { ppid, rssKb } of every process now. */
function processes() {
  const table = new Map()
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    let stat
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'latin1')
    } catch {
      continue // it ended meanwhile
    }
    // The command name (field 2) may hold spaces and parentheses: split after its last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    table.set(Number(name), { ppid: Number(fields[1]), rssKb: Number(fields[21]) * PAGE_KB })
  }
  return table
}

function treeRssKb(root) {
  const table = processes()
  const children = new Map()
  for (const [pid, p] of table) children.set(p.ppid, [...(children.get(p.ppid) ?? []), pid])
  let total = 0
  const stack = [root]
  while (stack.length > 0) {
    const pid = stack.pop()
    total += table.get(pid)?.rssKb ?? 0
    stack.push(...(children.get(pid) ?? []))
  }
  return total
}

/** { ms, peakRssKb, stdout, stderr }; throws with the output when the command fails. */
export function run(argv, { env = {}, cwd, sampleMs = 40 } = {}) {
  return new Promise((resolve, reject) => {
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
      if (code !== 0)
        reject(new Error(`${argv.join(' ')} exited ${code}\n${stdout.slice(-3000)}\n${stderr.slice(-3000)}`))
      else resolve({ ms, peakRssKb: peak, stdout, stderr })
    })
  })
}
