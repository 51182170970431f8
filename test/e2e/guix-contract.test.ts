// Contract tests of the guix system driver through the built CLI: two LXC
// containers this test creates (sshd inside) carry recording stand-ins for
// `guix` and `herd` (test/support/guix-standin.ts), since no Guix System
// can run here. They are deployed as `managed` hosts; web reads db's
// address through the generated (guix-ops parameters) module. The tests
// assert the exact commands the driver runs, the rollback path, drift and
// every error path, all on the containers only.
import { spawnSync } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { connectSsh } from '@guix-ops/core'
import type { SystemContext } from '@guix-ops/plugin-api'
import guix from '@guix-ops/plugin-guix'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { FIXTURES, guixOps, json, tempDir } from '../support/cli.js'
import {
  clearStandInLog,
  generationStore,
  installGuixStandIn,
  runningSystem,
  STANDIN,
  standInLog,
  steer,
} from '../support/guix-standin.js'
import { destroyHosts, lxcUnavailable, startHost, type TestHost } from '../support/lxc.js'

// Real containers on a busy machine (VMs may boot beside them): minutes, not seconds.
vi.setConfig({ testTimeout: 300_000 })

const unavailable = lxcUnavailable()
if (unavailable) console.warn(`skipping the guix driver contract tests on LXC containers: ${unavailable}`)

interface Outcome {
  machine: string
  status: string
  changes?: { action: string; subject: string; detail?: string }[]
  error?: { code: string; message: string }
}
interface Summary {
  changed: string[]
  unchanged: string[]
  outcomes: Outcome[]
}

describe.skipIf(unavailable !== undefined)('guix driver contract (stand-in guix on LXC containers)', () => {
  const hosts: Record<'db' | 'web', TestHost> = {} as never
  let work: string
  let key: string
  let stateDir: string
  let config: string
  /** The web machine's directory on its host, learnt from the first deploy. */
  let dir: string
  // No guix on the deploying machine, whatever this one has: buildLocally must say so.
  const env = { PATH: `${path.dirname(process.execPath)}:/usr/bin:/bin` }

  const sh = (host: TestHost, script: string, ...args: string[]) => host.exec(['sh', '-c', script, 'sh', ...args])
  const run = (args: string[]) => guixOps(args, { stateDir, env })
  const deployWeb = (extra: string[] = []) =>
    json<Summary>(run(['deploy', '-d', 'fleet', '--include', 'web', '--json', ...extra]))
  const webOutcome = (summary: Summary) => summary.outcomes.find((o) => o.machine === 'web')!
  const running = runningSystem
  const profileStore = generationStore
  /** When Guix made generation N: the mtime of its link, which list-generations prints in local time. */
  const linkTime = (host: TestHost, n: number) =>
    new Date(Number(host.exec(['stat', '-c', '%Y', `/var/guix/profiles/system-${n}-link`]).stdout.trim()) * 1000)
  const currentNumber = (host: TestHost) =>
    Number(/^system-(\d+)-link$/.exec(host.exec(['readlink', '/var/guix/profiles/system']).stdout.trim())?.[1])
  const generationRows = () =>
    json<{ number: number; current: boolean; createdAt: string; description: string }[]>(
      run(['list-generations', '-d', 'fleet', 'web', '--json']),
    )

  /** check finds every machine healthy; the report is the message when it does not. */
  const expectHealthy = (extra: string[]) => {
    const result = run(['check', '-d', 'fleet', '--json', ...extra])
    expect(json<{ healthy: boolean }>(result).healthy, result.stdout + result.stderr).toBe(true)
  }

  function writeConfig(webOptions = ''): void {
    const platform = (name: keyof typeof hosts) =>
      `{ type: 'managed', host: '${hosts[name].address}', identity: '${key}' }`
    writeFileSync(
      config,
      `export default {
  name: 'fleet',
  machines: {
    db: { platform: ${platform('db')}, system: { type: 'guix', config: './db.scm', system: 'x86_64-linux' } },
    web: ({ db }) => ({
      platform: ${platform('web')},
      system: { type: 'guix', config: './web.scm', parameters: { 'db-address': db.address, 'db-port': 5432 }${webOptions} },
    }),
  },
}
`,
    )
  }

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'guix-ops-guix-contract-'))
    key = path.join(work, 'id_ed25519')
    spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key])
    const repo = path.join(work, 'repo')
    spawnSync('mkdir', [repo])
    const pub = readFileSync(`${key}.pub`, 'utf8').trim()
    for (const name of ['db', 'web'] as const) {
      hosts[name] = await startHost(`guix-ops-guix-contract-${name}`, pub, repo)
      installGuixStandIn(hosts[name])
    }
    // web's clock is set to India's time zone (UTC+05:30), as a host may be: list-generations prints local time.
    const zone = readFileSync('/usr/share/zoneinfo/Asia/Kolkata').toString('base64')
    hosts.web.exec(['sh', '-c', 'base64 -d > /etc/localtime'], zone)
    cpSync(path.join(FIXTURES, 'guix/good'), work, { recursive: true })
    writeFileSync(path.join(work, 'db.scm'), '(use-modules (gnu))\n(operating-system (host-name "db"))\n')
    stateDir = tempDir()
    config = path.join(work, 'guix-ops.config.ts')
    writeConfig()
    expect(run(['create', config]).code).toBe(0)
  }, 600_000)

  afterAll(() => destroyHosts(Object.values(hosts)))

  it('contract: deploy uploads the config, checks devices, reconfigures, and records the generation', () => {
    const { db, web } = hosts
    const result = run(['deploy', '-d', 'fleet', '--json'])
    const summary = json<Summary>(result)
    expect(summary.changed, JSON.stringify(summary.outcomes)).toEqual(['db', 'web'])
    // reconfigure's output streams as progress.
    expect(result.stderr).toContain('reconfigure: building /gnu/store/new-system.drv...')
    expect(result.stderr).toContain('reconfigure: activating system...')
    expect(webOutcome(summary).changes).toEqual([
      {
        action: 'create',
        subject: 'system ./web.scm',
        detail:
          'first deploy by guix-ops; built on the host with guix system reconfigure (buildLocally is unset and this machine has no guix on its PATH)',
      },
    ])

    const log = standInLog(web)
    dir = /-- (\S+)\/safety-check\.scm/.exec(log.join('\n'))?.[1] ?? ''
    expect(dir).toMatch(/^\/var\/lib\/guix-ops\/guix\/[^/]+\/web$/)
    expect(log).toEqual([
      'guix describe',
      'guix describe',
      `guix repl -L ${dir}/modules -- ${dir}/safety-check.scm ${dir}/config/web.scm`,
      'guix system list-generations',
      `guix system reconfigure -L ${dir}/modules ${dir}/config/web.scm`,
      'guix system list-generations',
    ])
    // db pins its system type: the same sequence with --system.
    expect(standInLog(db).filter((l) => l.includes('reconfigure'))[0]).toMatch(
      /^guix system reconfigure -L \S+\/modules --system=x86_64-linux \S+\/config\/db\.scm$/,
    )
    // The config, what it loads and refers to, the parameters with db's address and the keys module are on the host.
    expect(sh(web, 'cd "$1" && find config modules -type f | sort', dir).stdout.split('\n').filter(Boolean)).toEqual([
      'config/common.scm',
      'config/nginx.conf',
      'config/web.scm',
      'modules/guix-ops/keys.scm',
      'modules/guix-ops/parameters.scm',
    ])
    const parameters = web.exec(['cat', `${dir}/modules/guix-ops/parameters.scm`]).stdout
    expect(parameters).toContain('(define-module (guix-ops parameters)')
    expect(parameters).toContain(`(cons "db-address" "${db.address}")`)
    expect(parameters).toContain('(cons "db-port" 5432)')
    // The generated module reads back as Scheme.
    expect(spawnSync('guile', ['-c', '(read (current-input-port))'], { input: parameters }).status).toBe(0)
    // Generation 2 runs; the automatic rollback was armed and then confirmed away.
    expect(running(web)).toBe(profileStore(web, 2))
    expect(sh(web, 'ls "$1"', dir).stdout.split('\n')).not.toContain('pending')

    expectHealthy([])
  })

  it('defect: list-generations asks the host, so the generation the installer made is listed too', () => {
    expect(generationRows()).toMatchObject([
      { number: 1, current: false },
      { number: 2, current: true, description: './web.scm (from generation 1)' },
    ])
  })

  it('defect: generation dates are read in the time zone of the host, as list-generations prints them', () => {
    const { web } = hosts
    expect(web.exec(['date', '+%z']).stdout.trim()).toBe('+0530')
    const rows = generationRows()
    expect(rows.find((g) => g.number === 2)?.createdAt).toBe(linkTime(web, 2).toISOString())
    expect(rows.find((g) => g.number === 1)?.createdAt).toBe(linkTime(web, 1).toISOString())
  })

  it('contract: a second deploy with nothing changed runs no reconfigure', () => {
    clearStandInLog(hosts.web)
    expect(deployWeb().unchanged).toEqual(['web'])
    expect(standInLog(hosts.web)).toEqual(['guix describe'])
  })

  it('contract: check reports a running system other than the deployed one, and failed Shepherd services', () => {
    const { web } = hosts
    const deployed = running(web)
    sh(web, 'ln -sfn "$1" /run/current-system && echo nginx > "$2/failed-services"', profileStore(web, 1), STANDIN)
    const webDrift = () => {
      const result = run(['check', '-d', 'fleet', '--include', 'web', '--json'])
      const report = json<{ machines?: { machine: string; drift: unknown[] }[] }>(result)
      expect(report.machines, result.stdout + result.stderr).toBeDefined()
      return report.machines?.find((m) => m.machine === 'web')?.drift
    }
    const system = { subject: 'system /run/current-system', expected: deployed, actual: profileStore(web, 1) }
    // Shepherd 0.10 lists failed services; 0.9 (Guix 1.4.0's) records no startup failures: nginx is just stopped.
    steer(web, 'shepherd-version', '0.10.1')
    expect(webDrift()).toEqual([system, { subject: 'service nginx', expected: 'running', actual: 'failed to start' }])
    expect(standInLog(web).at(-1)).toBe('herd status')
    steer(web, 'shepherd-version', '0.9.3')
    expect(webDrift()).toEqual([system])

    // A drifted system is planned again, and the deploy brings a new generation.
    sh(web, 'rm -f "$1/failed-services"', STANDIN)
    const plan = webOutcome(deployWeb(['--dry-run']))
    expect(plan.changes?.[0]?.detail).toBe(
      `the running system is ${profileStore(web, 1)}, not the one deployed; built on the host with guix system reconfigure (buildLocally is unset and this machine has no guix on its PATH)`,
    )
    expect(deployWeb().changed).toEqual(['web'])
    expect(running(web)).toBe(profileStore(web, 3))
  })

  it('defect: rollback after two deploys since boot leaves the previous generation running, not the booted one', () => {
    const { web } = hosts
    // Generation 4, a change since generation 3 (the redeploy above); the host booted generation 1.
    writeFileSync(path.join(work, 'nginx.conf'), 'events {}\n# generation 4\n')
    expect(deployWeb().changed).toEqual(['web'])
    expect(running(web)).toBe(profileStore(web, 4))
    expect(profileStore(web, 3)).not.toBe(profileStore(web, 1))

    clearStandInLog(web)
    const back = run(['rollback', '-d', 'fleet', 'web', '--json'])
    expect(back.code, back.stderr).toBe(0)
    expect(running(web)).toBe(profileStore(web, 3))
    expect(web.exec(['readlink', '/var/guix/profiles/system']).stdout.trim()).toBe('system-3-link')
    // What guix-ops recorded is what runs: no drift.
    expectHealthy(['--include', 'web'])

    clearStandInLog(web)
    expect(run(['rollback', '-d', 'fleet', 'web', '--to', '4']).code).toBe(0)
    expect(standInLog(web).some((l) => /guix system switch-generation 4$/.test(l))).toBe(true)
    expect(running(web)).toBe(profileStore(web, 4))
    expectHealthy(['--include', 'web'])

    const missing = run(['rollback', '-d', 'fleet', 'web', '--to', '9', '--json'])
    expect(missing.code).toBe(1)
    expect(missing.stdout).toContain('generation 9 does not exist')
    expect(running(web)).toBe(profileStore(web, 4))
  })

  it('contract: delete-generation runs guix system delete-generations, never on the current one', () => {
    const { web } = hosts
    clearStandInLog(web)
    const deleted = run(['delete-generation', '-d', 'fleet', 'web', '1'])
    expect(deleted.code, deleted.stderr).toBe(0)
    expect(standInLog(web)).toContain('guix system delete-generations 1')
    expect(web.exec(['test', '-e', '/var/guix/profiles/system-1-link']).code).not.toBe(0)
    const current = run(['delete-generation', '-d', 'fleet', 'web', '4', '--json'])
    expect(current.code).toBe(1)
    expect(current.stdout).toContain('current')
    expect(standInLog(web)).not.toContain('guix system delete-generations 4')
  })

  it('contract: a syntax error stops the deploy before any command on the host', () => {
    const { web } = hosts
    const file = path.join(work, 'web.scm')
    const good = readFileSync(file, 'utf8')
    writeFileSync(file, '(use-modules (gnu))\n(operating-system\n  (host-name "web)\n')
    clearStandInLog(web)
    // Read before any machine is contacted: the deploy as a whole stops.
    const { error } = json<{ error: { code: string; message: string } }>(
      run(['deploy', '-d', 'fleet', '--include', 'web', '--json']),
    )
    writeFileSync(file, good)
    expect(error?.code).toBe('E_GUIX_SYNTAX')
    expect(error?.message).toMatch(new RegExp(`${file}:3:14: this string is never closed$`))
    expect(standInLog(web)).toEqual([])
  })

  it('contract: a host that is not Guix System is refused before anything is uploaded', () => {
    const { web } = hosts
    sh(web, 'sed -i s/^ID=guix/ID=debian/ /etc/os-release')
    writeFileSync(path.join(work, 'nginx.conf'), 'events {}\n# changed\n')
    clearStandInLog(web)
    const error = webOutcome(deployWeb()).error
    sh(web, 'sed -i s/^ID=debian/ID=guix/ /etc/os-release')
    expect(error?.code).toBe('E_GUIX_NOT_GUIX_SYSTEM')
    expect(error?.message).toContain('ID=debian')
    expect(standInLog(web)).toEqual([])
  })

  it("contract: an architecture other than the config's is refused", () => {
    writeConfig(", system: 'aarch64-linux'")
    clearStandInLog(hosts.web)
    const error = webOutcome(deployWeb()).error
    expect(error?.code).toBe('E_GUIX_ARCH')
    expect(error?.message).toContain("the config is for aarch64-linux but the host's architecture is x86_64")
    expect(standInLog(hosts.web)).toEqual(['guix describe'])
  })

  it('contract: safety checks refuse devices the host lacks, and nothing is reconfigured', () => {
    const { web } = hosts
    writeConfig()
    steer(web, 'repl-output', 'device /dev/null\nuuid 1234-ABCD\nbootloader /dev/sdz\n')
    clearStandInLog(web)
    const error = webOutcome(deployWeb()).error
    steer(web, 'repl-output', undefined)
    expect(error?.code).toBe('E_GUIX_SAFETY')
    expect(error?.message).toBe(
      'guix: refusing to reconfigure: the host has no file system UUID 1234-ABCD (/dev/disk/by-uuid/1234-ABCD), bootloader target /dev/sdz (/dev/sdz)',
    )
    expect(standInLog(web).some((l) => l.includes('reconfigure'))).toBe(false)
  })

  it('defect: safetyChecks: false skips the checks, including those guix system reconfigure makes itself', () => {
    const { web } = hosts
    const file = path.join(work, 'web.scm')
    const good = readFileSync(file, 'utf8')
    // A file system the host lacks: guix system reconfigure refuses it unless told --skip-checks.
    writeFileSync(file, good.replace('(file-system-label "root")', '(uuid "1234-ABCD")'))
    try {
      writeConfig(', safetyChecks: false')
      clearStandInLog(web)
      const before = running(web)
      const outcome = webOutcome(deployWeb())
      expect(outcome.error, JSON.stringify(outcome)).toBeUndefined()
      expect(outcome.status).toBe('changed')
      expect(running(web)).not.toBe(before)
      expect(standInLog(web).some((l) => l.includes('guix repl'))).toBe(false)
    } finally {
      writeFileSync(file, good)
      writeConfig()
    }
  })

  it('contract: a failing reconfigure fails the deploy with its output; the running system stays', () => {
    const { web } = hosts
    const before = running(web)
    sh(web, 'echo "guix system: error: package nginx-nonexistent not found" > "$1/fail-reconfigure"', STANDIN)
    writeFileSync(path.join(work, 'nginx.conf'), 'events {}\n# changed again\n')
    const error = webOutcome(deployWeb()).error
    sh(web, 'rm -f "$1/fail-reconfigure"', STANDIN)
    expect(error?.code).toBe('E_GUIX_RECONFIGURE')
    expect(error?.message).toContain('guix system reconfigure failed (exit 1: ')
    expect(error?.message).toContain('guix system: error: package nginx-nonexistent not found')
    expect(error?.message).toMatch(/; nothing changed: generation \d+ still runs$/)
    expect(running(web)).toBe(before)
  })

  it('defect: a failed activation rolls back to the previous generation, and the summary says so', () => {
    const { web } = hosts
    const before = running(web)
    const previous = currentNumber(web)
    steer(web, 'fail-activation', '')
    writeFileSync(path.join(work, 'nginx.conf'), 'events {}\n# activation fails\n')
    const outcome = webOutcome(deployWeb())
    steer(web, 'fail-activation', undefined)
    expect(outcome.error?.code).toBe('E_GUIX_RECONFIGURE')
    expect(outcome.error?.message).toContain(`rolled back to generation ${previous}`)
    expect(running(web)).toBe(before)
    expect(currentNumber(web)).toBe(previous)
    expectHealthy(['--include', 'web'])
  })

  it('contract: buildLocally without guix on this machine fails clearly before anything remote', () => {
    writeConfig(', buildLocally: true')
    clearStandInLog(hosts.web)
    const error = webOutcome(deployWeb()).error
    writeConfig()
    expect(error?.code).toBe('E_GUIX_LOCAL_GUIX')
    expect(error?.message).toBe('guix: buildLocally needs "guix" on this machine\'s PATH, and there is none')
    expect(standInLog(hosts.web)).toEqual([])
  })

  it('contract: channels pin Guix with guix time-machine', () => {
    writeFileSync(
      path.join(work, 'channels.scm'),
      '(list (channel (name \'guix) (url "/srv/git/guix") (commit "4a1b2c3d")))\n',
    )
    writeConfig(", channels: './channels.scm', allowDowngrades: true")
    clearStandInLog(hosts.web)
    expect(deployWeb().changed).toEqual(['web'])
    const log = standInLog(hosts.web)
    expect(log).toContain(
      `guix time-machine -C ${dir}/channels.scm -- repl -L ${dir}/modules -- ${dir}/safety-check.scm ${dir}/config/web.scm`,
    )
    expect(log).toContain(
      `guix time-machine -C ${dir}/channels.scm -- system reconfigure -L ${dir}/modules --allow-downgrades ${dir}/config/web.scm`,
    )
    writeConfig()
  })

  it('contract: a deploy never confirmed rolls back by itself; a confirmed one does not', async () => {
    const { web } = hosts
    const session = await connectSsh({ host: web.address, port: 22, user: 'root', identity: key })
    const quiet = () => undefined
    const ctx: SystemContext = {
      deployment: { id: 'confirm-contract', name: 'confirm-contract' },
      machine: 'web',
      logger: { debug: quiet, info: quiet, warn: quiet, error: quiet },
      progress: { report: quiet },
      signal: new AbortController().signal,
      stateDir: tempDir(),
      deploymentDir: tempDir(),
      secrets: { get: async () => undefined, set: async () => undefined, delete: async () => undefined },
      configDir: work,
      host: session,
    }
    try {
      const options = await guix.options['~standard'].validate({ config: './web.scm', confirmTimeout: 5 })
      if (options.issues) throw new Error('invalid options')
      const before = running(web)
      const previous = Number(/system-(\d+)-link/.exec(web.exec(['readlink', '/var/guix/profiles/system']).stdout)?.[1])
      clearStandInLog(web)
      const generation = await guix.apply(ctx, options.value, await guix.plan(ctx, options.value))
      expect(running(web)).not.toBe(before)
      // Nobody confirms: the host switches back by itself once the timeout has passed.
      let log: string[] = []
      const switched = (l: string | undefined) => l?.endsWith(`guix system switch-generation ${previous}`) ?? false
      for (let i = 0; i < 120 && !log.some(switched); i++) {
        await new Promise((r) => setTimeout(r, 500))
        log = standInLog(web)
      }
      expect(switched(log.at(-1))).toBe(true)
      expect(running(web)).toBe(before)
      expect(generation.number).toBe(previous + 1)

      // Confirmed: the marker and the waiting script are gone, so nothing switches back.
      writeFileSync(path.join(work, 'nginx.conf'), 'events {}\n# confirmed\n')
      await guix.apply(ctx, options.value, await guix.plan(ctx, options.value))
      const layout = `/var/lib/guix-ops/guix/confirm-contract/web`
      const pid = web.exec(['cat', `${layout}/pending.pid`]).stdout.trim()
      expect(web.exec(['kill', '-0', pid]).code).toBe(0)
      await guix.confirm?.(ctx)
      expect(web.exec(['test', '-e', `${layout}/pending`]).code).not.toBe(0)
      expect(web.exec(['kill', '-0', pid]).code).not.toBe(0)
    } finally {
      session.close()
    }
  }, 120_000)

  it('defect: list-generations shows a generation made on the host itself', () => {
    const { web } = hosts
    web.exec(['sh', '-c', 'guix system reconfigure /etc/config.scm >/dev/null 2>&1'])
    const made = currentNumber(web)
    const rows = generationRows()
    expect(rows.at(-1)).toMatchObject({ number: made, current: true })
  })
})
