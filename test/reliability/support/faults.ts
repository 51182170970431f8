/**
 * The faults: a CLI run that can be killed at a pipeline step (its --json
 * progress events name each step as it starts), and what can go wrong on a
 * host: sshd killed or frozen, its traffic dropped, its disk full, its host
 * key replaced. Every fault acts on a container the test created, through
 * that container's own namespaces.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { BIN, oclifDirs, ROOT, type RunResult } from '../../support/cli.js'
import type { TestHost } from '../../support/lxc.js'
import { GATE, type Session } from './bench.js'

export type Step = 'resolve' | 'provision' | 'connect' | 'plan' | 'apply'

export interface RunningCli {
  child: ChildProcess
  /** Resolves when the step's progress event has been printed (rejects if the run ends first). */
  reached(step: Step): Promise<void>
  /** SIGKILL: no handler, no cleanup, as when the machine running guix-ops loses power. */
  kill(): void
  done: Promise<RunResult>
}

/** Starts `guix-ops ARGS --json` in the session's state dir, watching its progress events on stderr. */
export function startCli(session: Session, args: string[]): RunningCli {
  const child = spawn(process.execPath, [BIN, ...args, '--json'], {
    cwd: ROOT,
    env: { ...process.env, ...oclifDirs(session.stateDir), GUIX_OPS_STATE_DIR: session.stateDir, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  const seen = new Set<string>()
  const waiters: { step: Step; resolve: () => void }[] = []
  child.stdout?.on('data', (d: Buffer) => {
    stdout += d
  })
  child.stderr?.on('data', (d: Buffer) => {
    const before = stderr.length
    stderr += d
    const lines = stderr.slice(stderr.lastIndexOf('\n', before - 1) + 1).split('\n')
    for (const line of lines) {
      const step = stepOf(line)
      if (step) seen.add(step)
    }
    for (const w of waiters.filter((w) => seen.has(w.step))) w.resolve()
  })
  const done = new Promise<RunResult>((resolve) => {
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? -1 : null), stdout, stderr }))
  })
  return {
    child,
    done,
    kill: () => child.kill('SIGKILL'),
    reached: (step) =>
      new Promise<void>((resolve, reject) => {
        if (seen.has(step)) return resolve()
        waiters.push({ step, resolve })
        void done.then((r) => reject(new Error(`the run ended before step ${step}:\n${r.stdout}\n${r.stderr}`)))
      }),
  }
}

function stepOf(line: string): string | undefined {
  if (!line.startsWith('{')) return undefined
  try {
    const event = JSON.parse(line) as { type?: string; step?: string }
    return event.type === 'step' ? event.step : undefined
  } catch {
    return undefined // a line still being written
  }
}

/** Polls until `probe` holds, or fails naming `what`. */
export async function until(what: string, probe: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

/** How long a promise took to settle, with its value. */
export async function timed<T>(promise: Promise<T>): Promise<{ value: T; seconds: number }> {
  const start = Date.now()
  const value = await promise
  return { value, seconds: (Date.now() - start) / 1000 }
}

/** The deploy's command waits on the host while the gate is closed: apply is held after writing its files. */
export const gate = {
  close: (host: TestHost) => host.exec(['touch', GATE]),
  open: (host: TestHost) => host.exec(['rm', '-f', GATE]),
}

function containerPid(host: TestHost): string {
  return spawnSync('lxc-info', ['-n', host.name, '-pH'], { encoding: 'utf8' }).stdout.trim()
}

function sshdPid(host: TestHost): string {
  return host.exec(['systemctl', 'show', '-p', 'MainPID', '--value', 'ssh']).stdout.trim()
}

export const sshd = {
  /** SIGKILL to every sshd process of the host (the listener and each connection); systemd restarts it. */
  kill: (host: TestHost) => host.exec(['systemctl', 'kill', '--signal=KILL', 'ssh']),
  isActive: (host: TestHost) => host.exec(['systemctl', 'is-active', 'ssh']).stdout.trim() === 'active',
  /** SIGSTOP to the listener only: open connections go on, new ones get no answer. */
  freezeListener: (host: TestHost) => host.exec(['kill', '-STOP', sshdPid(host)]),
  thawListener: (host: TestHost) => host.exec(['kill', '-CONT', sshdPid(host)]),
  /** Connections the kernel accepted on port 22 that the (frozen) listener has not taken yet. */
  waitingConnections(host: TestHost): number {
    const r = spawnSync('nsenter', ['-t', containerPid(host), '-n', 'ss', '-Hltn', 'sport = :22'], { encoding: 'utf8' })
    // For a listening socket, Recv-Q is the accept queue's length.
    return r.stdout
      .split('\n')
      .filter(Boolean)
      .reduce((n, line) => n + Number(line.trim().split(/\s+/)[1] ?? 0), 0)
  },
}

/** Drops every packet to and from the host's port 22 inside its network namespace (a cut cable, no reset). */
export const blackHole = {
  on(host: TestHost): void {
    const rules = `table inet reliability {
  chain input { type filter hook input priority 0; tcp dport 22 drop; }
  chain output { type filter hook output priority 0; tcp sport 22 drop; }
}
`
    const r = spawnSync('nsenter', ['-t', containerPid(host), '-n', 'nft', '-f', '-'], {
      input: rules,
      encoding: 'utf8',
    })
    if (r.status !== 0) throw new Error(`nft: ${r.stderr}`)
  },
  off(host: TestHost): void {
    spawnSync('nsenter', ['-t', containerPid(host), '-n', 'nft', 'delete', 'table', 'inet', 'reliability'])
  },
}

/** A small tmpfs mounted over a directory of the host: writes there run out of space. */
export const fullDisk = {
  mount(host: TestHost, dir: string, size: string): void {
    const r = host.exec(['sh', '-c', 'mkdir -p "$1" && mount -t tmpfs -o "size=$2" tmpfs "$1"', 'sh', dir, size])
    if (r.code !== 0) throw new Error(`mount: ${r.stderr}`)
  },
  unmount: (host: TestHost, dir: string) => host.exec(['umount', dir]),
}

/** New host keys, as when the machine was reinstalled, or another machine now answers at its address. */
export function swapHostKeys(host: TestHost): void {
  const r = host.exec(['sh', '-c', 'rm -f /etc/ssh/ssh_host_* && ssh-keygen -A && systemctl restart ssh'])
  if (r.code !== 0) throw new Error(`new host keys: ${r.stderr}`)
}
