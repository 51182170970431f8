// The deployment lifecycle through the built CLI, as a user runs it.
import { spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { hostname } from 'node:os'
import path from 'node:path'
import { beforeEach, describe, expect, it } from 'vitest'
import { FIXTURES, guixOps, json, ROOT, snapshot, tempDir } from '../support/cli.js'

const QUICKSTART = path.join(ROOT, 'examples/quickstart/guix-ops.config.ts')

interface Saved {
  id: string
  name: string
  configPath: string
  machines: Record<string, { platform: string; system: string }>
}

describe('deployment lifecycle', () => {
  let stateDir: string
  beforeEach(() => {
    stateDir = tempDir()
  })

  it('creates the quick start, prints its id, and records it 0600 in a 0700 dir', () => {
    const result = guixOps(['create', QUICKSTART], { stateDir })
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    const id = /id:\s+([0-9a-f-]{36})/.exec(result.stdout)?.[1]
    expect(id).toBeDefined()
    const file = path.join(stateDir, 'deployments', `${id}.json`)
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(statSync(stateDir).mode & 0o777).toBe(0o700)
    expect(statSync(path.join(stateDir, 'deployments')).mode & 0o777).toBe(0o700)
    const state = JSON.parse(readFileSync(file, 'utf8'))
    expect(state).toMatchObject({ name: 'quickstart', configPath: QUICKSTART, version: 2 })
    expect(Object.keys(state.machines)).toEqual(['db', 'web'])
  })

  it('shows the inferred dependency and deploy order in info, as text and JSON', () => {
    guixOps(['create', QUICKSTART], { stateDir })
    const text = guixOps(['info', '-d', 'quickstart'], { stateDir })
    expect(text.code).toBe(0)
    expect(text.stdout).toMatch(/web\s+qemu\s+debian\s+db\s+not-created/)
    expect(text.stdout).toContain('deploy order: db  ->  web')
    const info = json<{
      machines: { name: string; dependencies: string[]; parameterized: boolean }[]
      levels: string[][]
    }>(guixOps(['info', '-d', 'quickstart', '--json'], { stateDir }))
    expect(info.levels).toEqual([['db'], ['web']])
    expect(info.machines.find((m) => m.name === 'web')).toMatchObject({ dependencies: ['db'], parameterized: true })
  })

  it('lists deployments, takes -d as name or id, and GUIX_OPS_DEPLOYMENT as a default', () => {
    const created = json<Saved>(guixOps(['create', QUICKSTART, '--json'], { stateDir }))
    const list = json<{ name: string; id: string; machines: number }[]>(guixOps(['list', '--json'], { stateDir }))
    expect(list).toEqual([expect.objectContaining({ name: 'quickstart', id: created.id, machines: 2 })])
    expect(guixOps(['list'], { stateDir }).stdout).toMatch(/^NAME\s+ID\s+MACHINES/m)
    const byId = json<{ state: Saved }>(guixOps(['info', '-d', created.id, '--json'], { stateDir }))
    expect(byId.state.name).toBe('quickstart')
    const byEnv = guixOps(['info', '--json'], { stateDir, env: { GUIX_OPS_DEPLOYMENT: 'quickstart' } })
    expect(json<{ state: Saved }>(byEnv).state.id).toBe(created.id)
  })

  it('finds the config from the current directory upward when none is given', () => {
    const dir = tempDir()
    copyFileSync(QUICKSTART, path.join(dir, 'guix-ops.config.ts'))
    const nested = path.join(dir, 'a')
    mkdirSync(nested)
    const result = guixOps(['create', '--json'], { stateDir, cwd: nested })
    expect(result.code).toBe(0)
    expect(json<Saved>(result).configPath).toBe(path.join(dir, 'guix-ops.config.ts'))
  })

  it('modify points a deployment at a new config and keeps its id', () => {
    const created = json<Saved>(guixOps(['create', QUICKSTART, '--json'], { stateDir }))
    const dir = tempDir()
    const next = path.join(dir, 'guix-ops.config.ts')
    writeFileSync(
      next,
      readFileSync(QUICKSTART, 'utf8').replace(
        'web: ({ db }) => ({',
        "cache: { platform: { type: 'qemu' }, system: { type: 'debian' } },\n    web: ({ db }) => ({",
      ),
    )
    const modified = json<Saved>(guixOps(['modify', '-d', 'quickstart', '--config', next, '--json'], { stateDir }))
    expect(modified.id).toBe(created.id)
    expect(modified.configPath).toBe(next)
    expect(Object.keys(modified.machines).sort()).toEqual(['cache', 'db', 'web'])
  })

  it('a modify with a broken config changes nothing', () => {
    guixOps(['create', QUICKSTART], { stateDir })
    const before = snapshot(stateDir)
    const bad = path.join(tempDir(), 'guix-ops.config.ts')
    writeFileSync(bad, readFileSync(QUICKSTART, 'utf8').replace(/memory: \d+/, "memory: 'lots'"))
    const result = guixOps(['modify', '-d', 'quickstart', '--config', bad], { stateDir })
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('machines.db.platform.memory: expected a number, got "lots"')
    expect(snapshot(stateDir)).toEqual(before)
  })

  it('exports JSON that imports back, and an s-expression for Guile', () => {
    const created = json<Saved>(guixOps(['create', QUICKSTART, '--json'], { stateDir }))
    const out = path.join(tempDir(), 'qs.json')
    expect(guixOps(['export', '-d', 'quickstart', '-o', out], { stateDir }).code).toBe(0)
    expect(statSync(out).mode & 0o777).toBe(0o600)
    const sexp = guixOps(['export', '-d', 'quickstart', '--format', 'sexp'], { stateDir })
    expect(sexp.stdout).toMatch(/^\(\("kind" \. "guix-ops\/export"\)/)
    expect(sexp.stdout).toContain(`("id" . "${created.id}")`)

    // Same id and name: refused, nothing replaced.
    const clash = guixOps(['import', out], { stateDir })
    expect(clash.code).toBe(1)
    expect(clash.stderr).toContain('E_DEPLOYMENT_EXISTS')
    const copy = json<Saved>(guixOps(['import', out, '--name', 'qs-copy', '--json'], { stateDir }))
    expect(copy.name).toBe('qs-copy')
    expect(copy.id).not.toBe(created.id)
    // Into an empty state dir it keeps its id.
    const other = tempDir()
    expect(json<Saved>(guixOps(['import', out, '--json'], { stateDir: other })).id).toBe(created.id)
  })

  it('delete forgets a deployment; it refuses while machines exist unless --force', () => {
    const created = json<Saved>(guixOps(['create', QUICKSTART, '--json'], { stateDir }))
    const file = path.join(stateDir, 'deployments', `${created.id}.json`)
    const state = JSON.parse(readFileSync(file, 'utf8'))
    state.machines.db.resource = { vm: 'db-1' }
    writeFileSync(file, JSON.stringify(state), { mode: 0o600 })
    const refused = guixOps(['delete', '-d', 'quickstart'], { stateDir })
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain('E_DEPLOYMENT_LIVE')
    expect(refused.stderr).toContain('db')
    const forced = guixOps(['delete', '-d', 'quickstart', '--force'], { stateDir })
    expect(forced.code).toBe(0)
    expect(forced.stderr).toContain('forgot 1 machine(s) that still exist: db')
    expect(json<unknown[]>(guixOps(['list', '--json'], { stateDir }))).toEqual([])
  })

  it('takes over, with a warning, a lock left by a dead process on this host', () => {
    guixOps(['create', QUICKSTART], { stateDir })
    const dead = spawnSync(process.execPath, ['-e', '0']).pid
    const lock = { pid: dead, host: hostname(), command: 'guix-ops deploy', startedAt: '2026-01-01T00:00:00.000Z' }
    writeFileSync(path.join(stateDir, 'locks', 'quickstart.lock'), JSON.stringify(lock), { mode: 0o600 })
    const result = guixOps(['modify', '-d', 'quickstart'], { stateDir })
    expect(result.code).toBe(0)
    expect(result.stderr).toContain(
      `warning: took over the lock of deployment "quickstart" left by pid ${dead} (guix-ops deploy`,
    )
    expect(existsSync(path.join(stateDir, 'locks', 'quickstart.lock'))).toBe(false)
  })

  it('unlock removes a lock left by a process on another host', () => {
    guixOps(['create', QUICKSTART], { stateDir })
    const lock = {
      pid: 4242,
      host: 'elsewhere.example',
      command: 'guix-ops deploy',
      startedAt: '2026-01-01T00:00:00.000Z',
    }
    writeFileSync(path.join(stateDir, 'locks', 'quickstart.lock'), JSON.stringify(lock), { mode: 0o600 })
    const blocked = guixOps(['modify', '-d', 'quickstart'], { stateDir })
    expect(blocked.code).toBe(1)
    expect(blocked.stderr).toContain('pid 4242')
    expect(blocked.stderr).toContain('elsewhere.example')
    expect(blocked.stderr).toContain('guix-ops unlock -d quickstart')
    const unlocked = json<{ lock: { pid: number } }>(guixOps(['unlock', '-d', 'quickstart', '--json'], { stateDir }))
    expect(unlocked.lock.pid).toBe(4242)
    expect(guixOps(['modify', '-d', 'quickstart'], { stateDir }).code).toBe(0)
  })

  it('uses config plugins from the config file: a third-party platform validates its own options', () => {
    const dir = tempDir()
    const config = path.join(dir, 'guix-ops.config.json')
    writeFileSync(
      config,
      JSON.stringify({
        name: 'fleet',
        plugins: [path.join(FIXTURES, 'plugins/fake-cloud')],
        machines: { a: { platform: { type: 'fake-cloud', region: 'north' }, system: { type: 'fake-os' } } },
      }),
    )
    expect(guixOps(['create', config], { stateDir }).code).toBe(0)
  })
})
