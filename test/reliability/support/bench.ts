/**
 * A real Debian host (an LXC container: systemd and sshd inside, its own
 * network namespace) and one deployment of it, for fault injection. Each
 * round takes over a file the host already had (its original must never be
 * lost), deploys with a fault, and then checks what a user relies on:
 * the state parses, the next deploy converges with no drift, the original
 * comes back when the file leaves the config, the key in state is the host's.
 * A round that failed leaves the host in an unknown state: the next round
 * gets a fresh host and deployment; a round that passed leaves both converged
 * for the next.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { expect } from 'vitest'
import { guixOps, json, type RunResult, tempDir } from '../../support/cli.js'
import { destroyHosts, startHost, type TestHost } from '../../support/lxc.js'

/** The file the config takes over, and what the host had there before guix-ops. */
export const TAKEN = '/etc/reliability/taken.conf'
export const ORIGINAL = 'the host owner wrote this before guix-ops came\n'
/** A file only guix-ops writes: which round's config reached the host. */
export const ROUND_FILE = '/etc/reliability/round'
/** While this file exists on the host, the deploy's command waits: apply is held after its file writes. */
export const GATE = '/run/reliability-gate'

export const intended = (round: number): string => `guix-ops wrote this in round ${round}\n`

export interface ConfigShape {
  /** Whether the config takes over TAKEN (it does in a round, not once the round is released). */
  takeOver: boolean
  /** More files, written after TAKEN, in this order. */
  files?: Record<string, string>
  /** Files written before TAKEN. */
  firstFiles?: Record<string, string>
}

export class Bench {
  readonly work = mkdtempSync(path.join(tmpdir(), 'guix-ops-reliability-'))
  readonly key = path.join(this.work, 'id_ed25519')
  // Plain JavaScript: the config's language is not what these tests are about, and it loads faster.
  readonly config = path.join(this.work, 'guix-ops.config.mjs')
  private readonly repo = path.join(this.work, 'repo')
  private readonly hosts: TestHost[] = []
  private current: Session | undefined

  constructor(private readonly tag: string) {
    spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', this.key])
    // No packages are deployed: the hosts' only apt source is an empty local one.
    spawnSync('mkdir', [this.repo])
  }

  /** The converged session of the last round that passed, or a fresh one. */
  async session(): Promise<Session> {
    if (this.current) return this.current
    const n = this.hosts.length + 1
    const pub = readFileSync(`${this.key}.pub`, 'utf8').trim()
    const host = await startHost(`guix-ops-rel-${this.tag}-${n}`, pub, this.repo)
    this.hosts.push(host)
    const session = new Session(this, host, `rel-${this.tag}-${n}`)
    await session.setUp()
    this.current = session
    return session
  }

  /** Runs one round on a session; a round that fails leaves its host for the next round to replace. */
  async round(body: (s: Session) => Promise<void>): Promise<void> {
    const session = await this.session()
    this.current = undefined
    await body(session)
    session.reportProblems()
    this.current = session
  }

  destroy(): Promise<void> {
    return destroyHosts(this.hosts)
  }
}

export class Session {
  readonly stateDir = tempDir()
  round = 0
  private readonly problems: string[] = []

  constructor(
    readonly bench: Bench,
    readonly host: TestHost,
    readonly name: string,
  ) {}

  /** An assertion whose failure is reported at the end of the round, so later ones still run. */
  soft(assertion: () => void): void {
    try {
      assertion()
    } catch (error) {
      this.problems.push((error as Error).message)
    }
  }

  /** Fails the round with every soft assertion that failed in it. */
  reportProblems(): void {
    if (this.problems.length > 0) throw new Error(this.problems.splice(0).join('\n---\n'))
  }

  sh(script: string): { code: number | null; stdout: string; stderr: string } {
    return this.host.exec(['sh', '-c', script])
  }

  cli(args: string[]): RunResult {
    return guixOps(args, { stateDir: this.stateDir, timeoutMs: 240_000 })
  }

  writeConfig(shape: ConfigShape): void {
    const files = {
      ...shape.firstFiles,
      [ROUND_FILE]: `round ${this.round}\n`,
      ...(shape.takeOver ? { [TAKEN]: intended(this.round) } : {}),
      ...shape.files,
    }
    const gateWait = `while [ -e ${GATE} ]; do sleep 0.1; done`
    writeFileSync(
      this.bench.config,
      `export default {
  name: ${JSON.stringify(this.name)},
  machines: {
    box: {
      platform: { type: 'managed', host: ${JSON.stringify(this.host.address)}, identity: ${JSON.stringify(this.bench.key)} },
      system: {
        type: 'debian',
        confirmTimeout: 10,
        files: ${JSON.stringify(files)},
        commands: [{ run: ['sh', '-c', ${JSON.stringify(gateWait)}] }],
      },
    },
  },
}
`,
    )
  }

  /** The host holds the original file; the deployment is created and deployed once, without taking it over. */
  async setUp(): Promise<void> {
    const made = this.host.exec(['sh', '-c', 'mkdir -p "$(dirname "$1")" && cat > "$1"', 'sh', TAKEN], ORIGINAL)
    expect(made.code, made.stderr).toBe(0)
    this.writeConfig({ takeOver: false })
    const created = this.cli(['create', this.bench.config])
    expect(created.code, created.stderr).toBe(0)
    this.expectDeployed(this.cli(['deploy', '-d', this.name]))
  }

  /** Starts the next round: the config takes over the host's file (plus `shape`'s files). */
  nextRound(shape: Omit<ConfigShape, 'takeOver'> = {}): number {
    this.round += 1
    this.writeConfig({ ...shape, takeOver: true })
    return this.round
  }

  expectDeployed(result: RunResult): void {
    expect(result.code, `deploy failed:\n${result.stdout}\n${result.stderr}`).toBe(0)
  }

  fileOnHost(file: string): string | undefined {
    const r = this.host.exec(['cat', '--', file])
    return r.code === 0 ? r.stdout : undefined
  }

  /** The deployment as `info --json` shows it; fails the test when the state does not parse. */
  info(): { state: { machines: Record<string, MachineState> } } {
    const result = this.cli(['info', '-d', this.name, '--json'])
    expect(result.code, `info failed:\n${result.stdout}\n${result.stderr}`).toBe(0)
    return json(result)
  }

  /** Every state file parses as JSON, and guix-ops itself reads the deployment. */
  expectStateParses(): MachineState | undefined {
    const dir = path.join(this.stateDir, 'deployments')
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
      const text = readFileSync(path.join(dir, file), 'utf8')
      expect(() => JSON.parse(text), `${file} does not parse`).not.toThrow()
    }
    return this.info().state.machines.box
  }

  /** Machine box as its state file records it, read straight from the file (no lock, no CLI). */
  recorded(): MachineState | undefined {
    const dir = path.join(this.stateDir, 'deployments')
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
      try {
        const state = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as DeploymentFile
        if (state.name === this.name) return state.machines?.box
      } catch {
        // being replaced right now: read it on the next poll
      }
    }
    return undefined
  }

  /** The taken-over file is either the host's original or what guix-ops means it to be: never anything else. */
  expectOriginalOrIntended(round = this.round): void {
    expect([ORIGINAL, intended(round)]).toContain(this.fileOnHost(TAKEN))
  }

  /** The key pinned in state is one the host really has. */
  expectPinnedKeyIsTheHosts(): void {
    const pinned = this.recorded()?.hostKey
    expect(pinned, 'no host key pinned').toBeTruthy()
    const [type, base64] = (pinned ?? '').split(/\s+/)
    const hostKeys = this.sh('cat /etc/ssh/ssh_host_*_key.pub').stdout
    expect(hostKeys).toContain(`${type} ${base64}`)
  }

  /**
   * The next deploy succeeds and `check` finds no drift.
   * Checked softly: one that fails still lets the later ones say what else is wrong.
   */
  expectConverges(): void {
    this.expectDeployed(this.cli(['deploy', '-d', this.name]))
    this.soft(() => expect(this.fileOnHost(TAKEN)).toBe(intended(this.round)))
    this.soft(() => expect(this.fileOnHost(ROUND_FILE)).toBe(`round ${this.round}\n`))
    const check = this.cli(['check', '-d', this.name, '--json'])
    const report = json<{ healthy: boolean; machines: { machine: string; drift: unknown[] }[] }>(check)
    const drift = report.machines.find((m) => m.machine === 'box')?.drift
    this.soft(() => expect(drift, `check after the next deploy: ${JSON.stringify(drift)}`).toEqual([]))
    this.expectPinnedKeyIsTheHosts()
  }

  /** The file leaves the config: the host's original comes back. */
  expectOriginalRestored(): void {
    this.writeConfig({ takeOver: false })
    this.expectDeployed(this.cli(['deploy', '-d', this.name]))
    this.soft(() => expect(this.fileOnHost(TAKEN), 'the original of a taken-over file was lost').toBe(ORIGINAL))
  }

  /** What a user relies on once a fault is over: the next deploy converges, and the original survives. */
  expectRecovered(): void {
    this.expectConverges()
    this.expectOriginalRestored()
  }
}

export interface MachineState {
  hostKey?: string
  currentGeneration?: number
  generations?: { number: number }[]
}

interface DeploymentFile {
  name?: string
  machines?: Record<string, MachineState>
}
