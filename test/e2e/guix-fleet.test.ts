// A two-host Guix deployment through the built CLI, on two LXC containers
// that carry the Guix stand-in (test/support/guix-standin.ts): web reads
// db's address through (guix-ops parameters). Deploy, redeploy (no-op),
// rollback, rollback --to N and the automatic rollback after a change that
// cuts SSH, each followed by `check`; after every step the running system
// (/run/current-system) of each host is the store item of the generation
// that should run, and it is what guix-ops reports.
import { spawnSync } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { FIXTURES, guixOps, json, tempDir } from '../support/cli.js'
import { generationStore, installGuixStandIn, runningSystem, steer } from '../support/guix-standin.js'
import { destroyHosts, lxcUnavailable, startHost, type TestHost } from '../support/lxc.js'

vi.setConfig({ testTimeout: 300_000 })

const unavailable = lxcUnavailable()
if (unavailable) console.warn(`skipping the two-host Guix deployment on LXC containers: ${unavailable}`)

type Name = 'db' | 'web'
interface Summary {
  changed: string[]
  unchanged: string[]
  outcomes: { machine: string; status: string; error?: { code: string; message: string } }[]
}
interface CheckReport {
  healthy: boolean
  machines: { machine: string; drift: unknown[]; error?: string }[]
}

describe.skipIf(unavailable !== undefined)('a two-host Guix deployment, checked after every step', () => {
  const hosts: Record<Name, TestHost> = {} as never
  let work: string
  let key: string
  let stateDir: string
  let config: string
  const env = { PATH: `${path.dirname(process.execPath)}:/usr/bin:/bin` }
  const run = (args: string[]) => guixOps(args, { stateDir, env })

  function writeConfig(webOptions = ''): void {
    const platform = (name: Name) => `{ type: 'managed', host: '${hosts[name].address}', identity: '${key}' }`
    writeFileSync(
      config,
      `export default {
  name: 'pair',
  machines: {
    db: { platform: ${platform('db')}, system: { type: 'guix', config: './db.scm' } },
    web: ({ db }) => ({
      platform: ${platform('web')},
      system: { type: 'guix', config: './web.scm', parameters: { 'db-address': db.address }${webOptions} },
    }),
  },
}
`,
    )
  }

  /** The generation number the system profile points at. */
  const profileGeneration = (host: TestHost) =>
    Number(/^system-(\d+)-link$/.exec(host.exec(['readlink', '/var/guix/profiles/system']).stdout.trim())?.[1])

  /** Each host runs generation `n`'s store item, and `check` finds nothing wrong. */
  function expectRunning(expected: Record<Name, number>): Record<Name, string> {
    const stores = {} as Record<Name, string>
    for (const name of ['db', 'web'] as const) {
      stores[name] = generationStore(hosts[name], expected[name])
      expect(stores[name], `${name} generation ${expected[name]}`).toMatch(/^\/gnu\/store\/[0-9a-f]{32}-system$/)
      expect(runningSystem(hosts[name]), `${name}'s /run/current-system`).toBe(stores[name])
      expect(profileGeneration(hosts[name])).toBe(expected[name])
    }
    const report = json<CheckReport>(run(['check', '-d', 'pair', '--json']))
    expect(report.healthy, JSON.stringify(report.machines)).toBe(true)
    const rows = json<{ machine: string; number: number; current: boolean }[]>(
      run(['list-generations', '-d', 'pair', '--json']),
    )
    for (const name of ['db', 'web'] as const)
      expect(rows.find((r) => r.machine === name && r.current)?.number, `${name}'s current generation`).toBe(
        expected[name],
      )
    return stores
  }

  const deploy = () => json<Summary>(run(['deploy', '-d', 'pair', '--json']))

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'guix-ops-guix-fleet-'))
    key = path.join(work, 'id_ed25519')
    spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key])
    const repo = path.join(work, 'repo')
    spawnSync('mkdir', [repo])
    const pub = readFileSync(`${key}.pub`, 'utf8').trim()
    for (const name of ['db', 'web'] as const) {
      hosts[name] = await startHost(`guix-ops-guix-fleet-${name}`, pub, repo)
      installGuixStandIn(hosts[name])
    }
    cpSync(path.join(FIXTURES, 'guix/good'), work, { recursive: true })
    writeFileSync(path.join(work, 'db.scm'), '(use-modules (gnu))\n(operating-system (host-name "db"))\n')
    stateDir = tempDir()
    config = path.join(work, 'guix-ops.config.ts')
    writeConfig()
    expect(run(['create', config]).code).toBe(0)
  }, 600_000)

  afterAll(() => destroyHosts(Object.values(hosts)))

  let first: Record<Name, string>
  let second: Record<Name, string>

  it('deploy: both hosts run generation 2, web with db address', () => {
    const summary = deploy()
    expect(summary.changed, JSON.stringify(summary.outcomes)).toEqual(['db', 'web'])
    first = expectRunning({ db: 2, web: 2 })
    const parameters = hosts.web.exec(['sh', '-c', 'cat /var/lib/guix-ops/guix/*/web/modules/guix-ops/parameters.scm'])
    expect(parameters.stdout).toContain(`(cons "db-address" "${hosts.db.address}")`)
  })

  it('redeploy with nothing changed: no new generation, the same systems run', () => {
    const summary = deploy()
    expect(summary.unchanged).toEqual(['db', 'web'])
    expect(expectRunning({ db: 2, web: 2 })).toEqual(first)
  })

  it('a change to both, then rollback: generation 2 runs again on both', () => {
    writeFileSync(path.join(work, 'db.scm'), '(use-modules (gnu))\n(operating-system (host-name "db2"))\n')
    writeFileSync(path.join(work, 'nginx.conf'), 'events {}\n# second\n')
    expect(deploy().changed).toEqual(['db', 'web'])
    second = expectRunning({ db: 3, web: 3 })
    expect(second.db).not.toBe(first.db)
    expect(second.web).not.toBe(first.web)

    const back = run(['rollback', '-d', 'pair', '--json'])
    expect(back.code, back.stdout).toBe(0)
    expect(expectRunning({ db: 2, web: 2 })).toEqual(first)
  })

  it('rollback --to 3: generation 3 runs again on both', () => {
    const forward = run(['rollback', '-d', 'pair', '--to', '3', '--json'])
    expect(forward.code, forward.stdout).toBe(0)
    expect(expectRunning({ db: 3, web: 3 })).toEqual(second)
  })

  it('a change that cuts SSH is rolled back by the host itself', async () => {
    const web = hosts.web
    steer(web, 'cut-ssh', '')
    writeFileSync(path.join(work, 'nginx.conf'), 'events {}\n# without ssh\n')
    writeConfig(', confirmTimeout: 10')
    const summary = deploy()
    steer(web, 'cut-ssh', undefined)
    const outcome = summary.outcomes.find((o) => o.machine === 'web')
    expect(outcome?.status, JSON.stringify(outcome)).toBe('failed')
    expect(outcome?.error?.message).toContain('confirm after activation')
    // db was rolled back, so deploy applies its config again: the same system as its generation 3.
    expect(summary.outcomes.find((o) => o.machine === 'db')?.status).toBe('changed')
    // Generation 4 was made and ran; the host goes back to 3 once the timer runs out.
    expect(generationStore(web, 4)).not.toBe(second.web)
    for (let i = 0; i < 120 && runningSystem(web) !== second.web; i++) await new Promise((r) => setTimeout(r, 500))
    for (let i = 0; i < 60 && web.exec(['systemctl', 'is-active', 'ssh']).stdout.trim() !== 'active'; i++)
      await new Promise((r) => setTimeout(r, 500))
    expect(expectRunning({ db: 4, web: 3 })).toEqual(second)
    writeConfig()
  })
})
