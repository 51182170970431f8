// `guix-ops deploy` through the built CLI onto managed hosts: real sshd
// processes on 127.0.0.1, a fixture system driver that writes one file.
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { BIN, FIXTURES, guixOps, json, oclifDirs, tempDir } from '../support/cli.js'
import { sshdUnavailable, startSshd, type TestSshd } from '../support/sshd.js'

const unavailable = sshdUnavailable()
if (unavailable) console.warn(`skipping the deploy CLI tests against real sshd: ${unavailable}`)

interface Summary {
  changed: string[]
  unchanged: string[]
  failed: { machine: string; error: string }[]
  skipped: { machine: string; reason: string }[]
  outcomes: { machine: string; status: string; changes?: { action: string; subject: string }[] }[]
}

/** One test's own hosts and files: no test reads a config, a marker file or a host another test changed. */
interface Bench {
  db: TestSshd
  web: TestSshd
  out: string
  writeConfig(version: string): string
}

const hostOf = (s: TestSshd) =>
  `{ type: 'managed', host: '127.0.0.1', port: ${s.port}, user: '${s.user}', identity: '${s.identity}' }`

describe.skipIf(unavailable !== undefined)('guix-ops deploy onto managed hosts', () => {
  vi.setConfig({ testTimeout: 180_000 })
  const started: TestSshd[] = []

  async function bench(): Promise<Bench> {
    const db = await startSshd()
    const web = await startSshd()
    started.push(db, web)
    const out = mkdtempSync(path.join(tmpdir(), 'guix-ops-deploy-'))
    const writeConfig = (version: string): string => {
      const file = path.join(out, 'guix-ops.config.ts')
      writeFileSync(
        file,
        `import { defineDeployment } from '@guix-ops/plugin-api'
export default defineDeployment({
  name: 'pair',
  plugins: ['${path.join(FIXTURES, 'plugins/marker-system')}'],
  machines: {
    db: { platform: ${hostOf(db)}, system: { type: 'marker', path: '${out}/db.conf', content: 'db ${version}\\n' } },
    web: ({ db }) => ({
      platform: ${hostOf(web)},
      system: { type: 'marker', path: '${out}/web.env', content: \`DB=\${db.address}:\${db.ssh.port} ${version}\\n\` },
    }),
  },
})
`,
      )
      return file
    }
    return { db, web, out, writeConfig }
  }

  afterAll(async () => {
    await Promise.all(started.map((s) => s.stop()))
  })

  it('plans, deploys, is idempotent, and pins host keys; a changed key stops that machine until reset', async () => {
    const { db, out, writeConfig } = await bench()
    const stateDir = tempDir()
    expect(guixOps(['create', writeConfig('v1')], { stateDir }).code).toBe(0)

    const plan = guixOps(['deploy', '-d', 'pair', '--dry-run'], { stateDir })
    expect(plan.code).toBe(0)
    expect(plan.stdout).toContain('db: 1 change(s)')
    expect(plan.stdout).toContain('+ machine db')
    expect(plan.stdout).toContain('dry run: nothing was changed')

    const first = guixOps(['deploy', '-d', 'pair'], { stateDir })
    expect(first.code, first.stderr).toBe(0)
    expect(first.stderr).toContain('[db] provision: managed: creating the machine')
    expect(first.stdout).toContain('2 changed, 0 unchanged, 0 failed, 0 skipped')
    expect(readFileSync(path.join(out, 'web.env'), 'utf8')).toBe(`DB=127.0.0.1:${db.port} v1\n`)

    const info = json<{ machines: { name: string; recorded: string; address: string; generations: number }[] }>(
      guixOps(['info', '-d', 'pair', '--json'], { stateDir }),
    )
    expect(info.machines.map((m) => [m.name, m.recorded, m.address, m.generations])).toEqual([
      ['db', 'created', '127.0.0.1', 1],
      ['web', 'created', '127.0.0.1', 1],
    ])

    const again = json<Summary>(guixOps(['deploy', '-d', 'pair', '--json'], { stateDir }))
    expect(again.unchanged).toEqual(['db', 'web'])

    await db.rotateHostKey()
    writeConfig('v2')
    const stopped = guixOps(['deploy', '-d', 'pair'], { stateDir })
    expect(stopped.code).toBe(1)
    expect(stopped.stderr).toMatch(/E_SSH_HOST_KEY_CHANGED|host key of machine "db" .* has changed/)
    expect(stopped.stdout).toContain('dependency "db" failed')
    expect(readFileSync(path.join(out, 'db.conf'), 'utf8')).toBe('db v1\n')

    const reset = guixOps(['ssh-keys', 'reset', '-d', 'pair', 'db'], { stateDir })
    expect(reset.code).toBe(0)
    expect(reset.stdout).toMatch(/Forgot the host key of db \(SHA256:/)
    const after = json<Summary>(guixOps(['deploy', '-d', 'pair', '--json'], { stateDir }))
    expect(after.changed).toEqual(['db', 'web'])
    expect(readFileSync(path.join(out, 'db.conf'), 'utf8')).toBe('db v2\n')
  })

  it('reports an unreachable host as failed, skips its dependents, and records nothing for them', async () => {
    const { db, writeConfig } = await bench()
    const stateDir = tempDir()
    const file = writeConfig('v4')
    const text = readFileSync(file, 'utf8').replace(`port: ${db.port}`, 'port: 1')
    writeFileSync(file, text)
    expect(guixOps(['create', file], { stateDir }).code).toBe(0)
    const result = guixOps(['deploy', '-d', 'pair', '--json'], { stateDir })
    expect(result.code).toBe(1)
    const summary = json<Summary>(result)
    expect(summary.failed[0]).toMatchObject({ machine: 'db' })
    expect(summary.failed[0]?.error).toContain('cannot connect to machine "db" (')
    expect(summary.skipped).toEqual([{ machine: 'web', reason: 'dependency "db" failed' }])
    const info = json<{ machines: { name: string; recorded: string }[] }>(
      guixOps(['info', '-d', 'pair', '--json'], { stateDir }),
    )
    expect(info.machines.map((m) => m.recorded)).toEqual(['not-created', 'not-created'])
  })

  it('a deploy killed with SIGKILL midway leaves usable state; the next one takes over its lock and finishes', async () => {
    const { db, out, writeConfig } = await bench()
    const stateDir = tempDir()
    expect(guixOps(['create', writeConfig('v5')], { stateDir }).code).toBe(0)
    const child = spawn(process.execPath, [BIN, 'deploy', '-d', 'pair'], {
      env: { ...process.env, ...oclifDirs(stateDir), GUIX_OPS_STATE_DIR: stateDir },
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    // Kill it once the first machine is being worked on.
    await new Promise<void>((resolve) => {
      child.stderr.on('data', (d: Buffer) => {
        if (d.toString().includes('[db] connect')) resolve()
      })
    })
    child.kill('SIGKILL')
    await new Promise((r) => child.once('exit', r))
    const next = guixOps(['deploy', '-d', 'pair'], { stateDir })
    expect(next.code, next.stderr).toBe(0)
    expect(next.stderr).toContain('took over the lock of deployment "pair"')
    expect(readFileSync(path.join(out, 'web.env'), 'utf8')).toBe(`DB=127.0.0.1:${db.port} v5\n`)
  })

  it('a connection cut mid-apply fails that machine only; the others finish and state stays consistent', async () => {
    const { db, web, out } = await bench()
    const stateDir = tempDir()
    const file = path.join(out, 'cut.config.ts')
    writeFileSync(
      file,
      `export default {
  name: 'cut',
  plugins: ['${path.join(FIXTURES, 'plugins/marker-system')}'],
  machines: {
    slow: { platform: ${hostOf(db)}, system: { type: 'marker', path: '${out}/slow', content: 'slow', applySeconds: 20 } },
    fast: { platform: ${hostOf(web)}, system: { type: 'marker', path: '${out}/fast', content: 'fast' } },
  },
}
`,
    )
    expect(guixOps(['create', file], { stateDir }).code).toBe(0)
    const child = spawn(process.execPath, [BIN, 'deploy', '-d', 'cut', '--json'], {
      env: { ...process.env, ...oclifDirs(stateDir), GUIX_OPS_STATE_DIR: stateDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    child.stdout.on('data', (d: Buffer) => {
      stdout += d
    })
    await new Promise<void>((resolve) => {
      child.stderr.on('data', (d: Buffer) => {
        if (d.toString().includes('"machine":"slow","step":"apply"')) resolve()
      })
    })
    await new Promise((r) => setTimeout(r, 500))
    db.dropConnections()
    const code = await new Promise((r) => child.once('exit', r))
    expect(code).toBe(1)
    const summary = JSON.parse(stdout) as Summary
    expect(summary.changed).toEqual(['fast'])
    expect(summary.failed.map((f) => f.machine)).toEqual(['slow'])
    expect(summary.failed[0]?.error).toContain('machine "slow"')
    expect(summary.failed[0]?.error).toContain('the connection was lost before the command finished')
    const info = json<{ machines: { name: string; recorded: string; generations: number }[] }>(
      guixOps(['info', '-d', 'cut', '--json'], { stateDir }),
    )
    expect(info.machines.map((m) => [m.name, m.recorded, m.generations])).toEqual([
      ['slow', 'created', 0],
      ['fast', 'created', 1],
    ])
  })

  it('refuses machines it does not know in --include, and selects by name', async () => {
    const { writeConfig } = await bench()
    const stateDir = tempDir()
    guixOps(['create', writeConfig('v3')], { stateDir })
    const unknown = json<{ error: { code: string; message: string } }>(
      guixOps(['deploy', '-d', 'pair', '--include', 'dbb', '--json'], { stateDir }),
    )
    expect(unknown.error).toMatchObject({ code: 'E_USAGE', message: 'no machine named "dbb" in this deployment' })
    const only = json<Summary>(guixOps(['deploy', '-d', 'pair', '--include', 'db', '--json'], { stateDir }))
    expect(only.outcomes.map((o) => o.machine)).toEqual(['db'])
  })
})
