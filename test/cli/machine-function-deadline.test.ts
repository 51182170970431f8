// A machine function that hangs only once it is given real results (it
// passes validation, where it reads stand-ins) is bounded at deploy and at
// check by --config-timeout as at validation: E_CONFIG_TIMEOUT naming the
// machine, no lock left, and the machines deployed before it keep their
// records. Real sshd on 127.0.0.1, the fixture system that writes one file.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { FIXTURES, guixOps, json, type RunResult, tempDir } from '../support/cli.js'
import { sshdUnavailable, startSshd, type TestSshd } from '../support/sshd.js'

const unavailable = sshdUnavailable()
if (unavailable) console.warn(`skipping the machine function deadline tests against real sshd: ${unavailable}`)

interface Summary {
  changed: string[]
  failed: { machine: string; error: string }[]
  outcomes: { machine: string; status: string; error?: { code: string; where?: { machine?: string } } }[]
}

interface CheckOutput {
  machines?: { machine: string; error?: string; errorCode?: string }[]
  error?: { code: string; where?: { machine?: string } }
}

const HANGS = {
  // With stand-ins `db.address` is no string: only the real result reaches the hang.
  'a promise that never settles': `if (db.address === '127.0.0.1') return new Promise(() => {})`,
  'an endless loop': `if (db.address === '127.0.0.1') for (;;) {}`,
}

const hostOf = (s: TestSshd) =>
  `{ type: 'managed', host: '127.0.0.1', port: ${s.port}, user: '${s.user}', identity: '${s.identity}' }`

function timed(run: () => RunResult): RunResult & { seconds: number } {
  const started = Date.now()
  const result = run()
  return { ...result, seconds: (Date.now() - started) / 1000 }
}

describe.skipIf(unavailable !== undefined)('machine functions called with real results are bounded', () => {
  vi.setConfig({ testTimeout: 180_000 })
  const started: TestSshd[] = []
  afterAll(async () => {
    await Promise.all(started.map((s) => s.stop()))
  })

  /** db and cache are plain machines; web is a function of db's result whose body is `hang` then a machine. */
  async function trio(hang: string): Promise<{ out: string; writeConfig: (hang: string) => string }> {
    const [db, web, cache] = await Promise.all([startSshd(), startSshd(), startSshd()])
    started.push(db, web, cache)
    const out = mkdtempSync(path.join(tmpdir(), 'guix-ops-machine-deadline-'))
    const marker = (name: string) => `{ type: 'marker', path: '${out}/${name}.conf', content: '${name}\\n' }`
    const writeConfig = (body: string): string => {
      const file = path.join(out, 'guix-ops.config.ts')
      writeFileSync(
        file,
        `import { defineDeployment } from '@guix-ops/plugin-api'
export default defineDeployment({
  name: 'trio',
  plugins: ['${path.join(FIXTURES, 'plugins/marker-system')}'],
  machines: {
    db: { platform: ${hostOf(db)}, system: ${marker('db')} },
    web: ({ db }) => {
      ${body}
      return { platform: ${hostOf(web)}, system: ${marker('web')} }
    },
    cache: { platform: ${hostOf(cache)}, system: ${marker('cache')} },
  },
})
`,
      )
      return file
    }
    writeConfig(hang)
    return { out, writeConfig }
  }

  const recorded = (stateDir: string) =>
    json<{ machines: { name: string; recorded: string }[] }>(guixOps(['info', '-d', 'trio', '--json'], { stateDir }))
      .machines.map((m) => [m.name, m.recorded])
      .sort()

  it('deploy fails the machine whose function never settles and deploys the others', async () => {
    const { out } = await trio(HANGS['a promise that never settles'])
    const stateDir = tempDir()
    expect(guixOps(['create', path.join(out, 'guix-ops.config.ts')], { stateDir }).code).toBe(0)
    const result = timed(() =>
      guixOps(['deploy', '-d', 'trio', '--config-timeout', '2', '--json'], { stateDir, timeoutMs: 90_000 }),
    )
    expect(result.seconds).toBeLessThan(60)
    expect(result.code, result.stderr).toBe(1)
    const summary = json<Summary>(result)
    expect(summary.changed.sort()).toEqual(['cache', 'db'])
    expect(summary.failed).toEqual([{ machine: 'web', error: expect.stringContaining('within 2 s') }])
    expect(summary.outcomes.find((o) => o.machine === 'web')?.error).toMatchObject({
      code: 'E_CONFIG_TIMEOUT',
      where: { machine: 'web' },
    })
    expect(readdirSync(path.join(stateDir, 'locks'))).toEqual([])
    expect(recorded(stateDir)).toEqual([
      ['cache', 'created'],
      ['db', 'created'],
      ['web', 'not-created'],
    ])
    expect(readFileSync(path.join(out, 'db.conf'), 'utf8')).toBe('db\n')
  })

  it('deploy stops a function that loops, naming it, and deploys the others', async () => {
    const { out } = await trio(HANGS['an endless loop'])
    const stateDir = tempDir()
    expect(guixOps(['create', path.join(out, 'guix-ops.config.ts')], { stateDir }).code).toBe(0)
    const result = timed(() =>
      guixOps(['deploy', '-d', 'trio', '--config-timeout', '2'], { stateDir, timeoutMs: 90_000 }),
    )
    expect(result.seconds).toBeLessThan(60)
    expect(result.code).not.toBe(0)
    expect(result.stderr).toContain('E_CONFIG_TIMEOUT')
    expect(result.stderr).toContain('machine "web"')
    expect(readdirSync(path.join(stateDir, 'locks'))).toEqual([])
    // The loop is stopped inside the call (config/guarded-call.ts): the process goes on with the others.
    expect(recorded(stateDir)).toEqual([
      ['cache', 'created'],
      ['db', 'created'],
      ['web', 'not-created'],
    ])
    expect(readFileSync(path.join(out, 'cache.conf'), 'utf8')).toBe('cache\n')
  })

  for (const [what, hang] of Object.entries(HANGS)) {
    it(`check reports web's function as timed out on ${what} and checks the others`, async () => {
      const { out, writeConfig } = await trio('')
      const stateDir = tempDir()
      expect(guixOps(['create', path.join(out, 'guix-ops.config.ts')], { stateDir }).code).toBe(0)
      const deployed = guixOps(['deploy', '-d', 'trio'], { stateDir })
      expect(deployed.code, deployed.stderr).toBe(0)
      writeConfig(hang)
      const result = timed(() =>
        guixOps(['check', '-d', 'trio', '--config-timeout', '2', '--json'], { stateDir, timeoutMs: 90_000 }),
      )
      expect(result.seconds).toBeLessThan(60)
      expect(result.code, result.stderr).not.toBe(0)
      const report = json<CheckOutput>(result)
      // A loop is stopped in the call, as a promise is met by the timer: the others are checked either way.
      const byName = Object.fromEntries((report.machines ?? []).map((m) => [m.machine, m]))
      expect(byName.web).toMatchObject({ errorCode: 'E_CONFIG_TIMEOUT', error: expect.stringContaining('"web"') })
      expect([byName.db?.error, byName.cache?.error]).toEqual([undefined, undefined])
      expect(readdirSync(path.join(stateDir, 'locks'))).toEqual([])
    })
  }
})
