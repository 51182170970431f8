// A whole deploy through the engine, with small inline plugins, against a
// real sshd on 127.0.0.1: a platform whose machines are that sshd, and a
// system driver that writes one file per machine into a temp dir over SFTP.
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import {
  API_VERSION,
  type DeploymentDefinition,
  definePlatform,
  defineSystem,
  type Generation,
  type PlatformDefinition,
  type SystemDefinition,
} from '@guix-ops/plugin-api'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { sshdUnavailable, startSshd, type TestSshd } from '../../../../test/support/sshd.js'
import { analyzeDeployment, normalizeConfig } from '../config/index.js'
import { createLifecycleHooks } from '../hooks/index.js'
import { type DeploymentState, FileStateStore, STATE_KIND, STATE_VERSION } from '../state/index.js'
import { runDeployment } from './run.js'
import { StateWriter } from './state-writer.js'
import type { DeployEvent, DeployOptions } from './types.js'

const unavailable = sshdUnavailable()

describe.skipIf(unavailable !== undefined)('runDeployment against a real sshd', () => {
  let sshd: TestSshd
  let outDir: string
  let stateDir: string
  let provisions: string[]
  let failProvision: Set<string>

  /** Every machine is the test sshd; the "address" is made up from the machine's name. */
  const loopback: PlatformDefinition = definePlatform({
    name: 'loopback',
    apiVersion: API_VERSION,
    options: z.strictObject({ slow: z.number().default(0) }),
    capabilities: {},
    async provision(_ctx, { name, options, existing }) {
      provisions.push(name)
      if (failProvision.has(name)) throw new Error('no capacity left')
      await new Promise((r) => setTimeout(r, (options as { slow: number }).slow))
      return {
        resource: existing ?? { id: `lb-${name}` },
        address: `10.9.0.${name.length}`,
        outputs: { id: `lb-${name}` },
      }
    },
    status: async () => 'up',
    ssh: async () => ({ host: '127.0.0.1', port: sshd.port, user: sshd.user, privateKeyPath: sshd.identity }),
  })

  /** Writes `content` to OUT/<machine>.txt; a generation per change, kept in memory. */
  const generations = new Map<string, Generation[]>()
  const files: SystemDefinition<{ content: string }> = defineSystem({
    name: 'file',
    apiVersion: API_VERSION,
    options: z.strictObject({ content: z.string() }),
    async plan(ctx, options) {
      const file = path.join(outDir, `${ctx.machine}.txt`)
      const current = await ctx.host.exec(['cat', file])
      return current.code === 0 && current.stdout === options.content
        ? { changes: [] }
        : { changes: [{ action: current.code === 0 ? 'update' : 'create', subject: `file ${file}` }] }
    },
    async apply(ctx, options) {
      await ctx.host.upload(path.join(outDir, `${ctx.machine}.txt`), options.content, { mode: 0o644 })
      const list = generations.get(ctx.machine) ?? []
      const generation = { number: list.length + 1, createdAt: new Date().toISOString(), current: true }
      generations.set(ctx.machine, [...list, generation])
      return generation
    },
    check: async () => [],
    generations: async (ctx) => generations.get(ctx.machine) ?? [],
    rollback: async () => {
      throw new Error('not used here')
    },
  })

  const plugins = {
    platform: async (name: string) => {
      if (name !== 'loopback') throw new Error(`unknown platform ${name}`)
      return loopback
    },
    system: async (name: string) => {
      if (name !== 'file') throw new Error(`unknown system ${name}`)
      return files as unknown as SystemDefinition
    },
  }

  const m = (content: string, extra: object = {}) => ({
    platform: { type: 'loopback', ...extra },
    system: { type: 'file', content },
  })

  /** db <- app <- proxy, plus an independent cache. */
  const shop = (version = 'v1'): DeploymentDefinition => ({
    name: 'shop',
    machines: {
      db: m(`db ${version}`, { slow: 150 }),
      cache: { ...m(`cache ${version}`, { slow: 150 }), tags: ['data'] },
      app: ({ db }) => m(`DB_HOST=${db!.address} ${version}`),
      proxy: ({ app }) => m(`upstream ${app!.address}:8080`),
    },
  })

  async function deploy(definition: DeploymentDefinition, options: DeployOptions = {}, hooks = createLifecycleHooks()) {
    const config = normalizeConfig({ file: '/cfg/guix-ops.config.ts', value: definition })
    const analysis = await analyzeDeployment(config.file, config.deployments[0]!, plugins)
    const store = new FileStateStore(stateDir)
    const existing = await store.find('shop')
    const state: DeploymentState = existing ?? {
      kind: STATE_KIND,
      version: STATE_VERSION,
      id: '11111111-2222-4333-8444-555555555555',
      name: 'shop',
      configPath: config.file,
      createdAt: new Date().toISOString(),
      updatedAt: new Date().toISOString(),
      machines: {},
    }
    const events: DeployEvent[] = []
    const summary = await runDeployment({
      definition,
      analysis,
      writer: new StateWriter(store, state),
      plugins,
      hooks,
      stateDir,
      options,
      emit: (e) => events.push(e),
    })
    return { summary, events, state: (await store.find('shop'))! }
  }

  beforeAll(async () => {
    // Keys are recorded on the host under /var/lib/guix-ops: a private /var/lib, so this machine's stays untouched.
    sshd = await startSshd({ tmpfs: { '/var/lib': '4m' } })
  })
  afterAll(async () => {
    await sshd?.stop()
  })
  beforeEach(() => {
    outDir = mkdtempSync(path.join(tmpdir(), 'guix-ops-out-'))
    stateDir = mkdtempSync(path.join(tmpdir(), 'guix-ops-state-'))
    provisions = []
    failProvision = new Set()
    generations.clear()
  })

  it('deploys in dependency order with results passed on, pins host keys, and records everything', async () => {
    const { summary, events, state } = await deploy(shop())
    expect(summary.changed).toEqual(['db', 'cache', 'app', 'proxy'])
    expect(readFileSync(path.join(outDir, 'app.txt'), 'utf8')).toBe('DB_HOST=10.9.0.2 v1')
    expect(readFileSync(path.join(outDir, 'proxy.txt'), 'utf8')).toBe('upstream 10.9.0.3:8080')
    // db and cache are independent: both were provisioned before either finished.
    const starts = events.filter((e) => e.type === 'step' && e.step === 'provision').map((e) => e.machine)
    expect(starts.slice(0, 2).sort()).toEqual(['cache', 'db'])
    expect(state.machines.db).toMatchObject({
      platform: 'loopback',
      system: 'file',
      resource: { id: 'lb-db' },
      address: '10.9.0.2',
      hostKey: sshd.hostKey,
      generations: [{ number: 1 }],
    })
  })

  it('a second deploy changes nothing; a changed config changes only what differs', async () => {
    await deploy(shop())
    const again = await deploy(shop())
    expect(again.summary.unchanged).toEqual(['db', 'cache', 'app', 'proxy'])
    const next = await deploy(shop('v2'))
    expect(next.summary.changed).toEqual(['db', 'cache', 'app'])
    expect(next.summary.unchanged).toEqual(['proxy'])
    expect(next.state.machines.app?.generations?.map((g) => g.number)).toEqual([1, 2])
  })

  it('dry run plans without changing any machine or the state', async () => {
    const { summary, state } = await deploy(shop(), { dryRun: true })
    expect(summary.outcomes.every((o) => o.status === 'planned')).toBe(true)
    expect(existsSync(path.join(outDir, 'db.txt'))).toBe(false)
    expect(state).toBeUndefined()
    await deploy(shop())
    const planned = await deploy(shop('v2'), { dryRun: true })
    expect(planned.summary.outcomes.find((o) => o.machine === 'db')?.changes).toEqual([
      { action: 'update', subject: `file ${path.join(outDir, 'db.txt')}` },
    ])
    expect(readFileSync(path.join(outDir, 'db.txt'), 'utf8')).toBe('db v1')
  })

  it('skips the dependents of a failed machine and goes on with the rest, naming plugin and machine', async () => {
    failProvision.add('db')
    const { summary } = await deploy(shop())
    expect(summary.failed).toEqual([
      { machine: 'db', error: 'loopback: provision of machine "db" failed: no capacity left' },
    ])
    expect(summary.skipped).toEqual([
      { machine: 'app', reason: 'dependency "db" failed' },
      { machine: 'proxy', reason: 'dependency "app" was skipped' },
    ])
    expect(summary.changed).toEqual(['cache'])
  })

  it('with --on-failure abort, starts nothing more after a failure', async () => {
    failProvision.add('db')
    const { summary } = await deploy(shop(), { onFailure: 'abort', parallel: 1 })
    expect(provisions).toEqual(['db'])
    expect(summary.skipped.map((s) => s.machine)).toEqual(['cache', 'app', 'proxy'])
  })

  it('selects machines by name and tag, reading recorded results of the others', async () => {
    await deploy(shop())
    provisions = []
    const { summary } = await deploy(shop('v2'), { include: ['app'] })
    expect(provisions).toEqual(['app'])
    expect(summary.changed).toEqual(['app'])
    expect(readFileSync(path.join(outDir, 'app.txt'), 'utf8')).toBe('DB_HOST=10.9.0.2 v2')
    const tagged = await deploy(shop('v3'), { tags: ['@data'] })
    expect(tagged.summary.changed).toEqual(['cache'])
  })

  it('sends keys before activation; no hook, plugin, event or state sees their values', async () => {
    const canary = 'k3y-canary-engine-4e1f'
    const keyDir = mkdtempSync(path.join(tmpdir(), 'guix-ops-keys-'))
    const keys = { pw: { text: canary, destDir: keyDir } }
    const hooks = createLifecycleHooks()
    const seen: string[] = []
    for (const [name, hook] of Object.entries(hooks)) {
      // Waterfall hooks pass their first argument on; the others ignore what a tap returns.
      ;(hook as { tap: (name: string, fn: (...args: unknown[]) => unknown) => void }).tap('spy', (...args) => {
        seen.push(`${name} ${JSON.stringify(args)}`)
        return args[0]
      })
    }
    const definition: DeploymentDefinition = {
      name: 'shop',
      machines: {
        db: { ...m('db'), keys },
        app: ({ db }) => ({ ...m(`DB_HOST=${db!.address}`), keys: { pw: { text: `${canary}-app`, destDir: keyDir } } }),
      },
    }
    const { summary, events, state } = await deploy(definition, {}, hooks)
    expect(summary.changed).toEqual(['db', 'app'])
    expect(readFileSync(path.join(keyDir, 'pw'), 'utf8')).toMatch(/^k3y-canary-engine-4e1f/)
    expect(seen.some((line) => line.startsWith('resolveMachine'))).toBe(true)
    const written = [...seen, JSON.stringify(events), JSON.stringify(state), readFileSync(path.join(outDir, 'db.txt'))]
    expect(written.filter((text) => String(text).includes(canary))).toEqual([])
    expect(state.machines.db?.keys?.pw?.hash).toMatch(/^[0-9a-f]{64}$/)
  })

  it('a deploy that only changes keys reports the machine changed, naming the keys and never their values', async () => {
    const keyDir = mkdtempSync(path.join(tmpdir(), 'guix-ops-keys-'))
    const withKeys = (keys: Record<string, { text: string }>): DeploymentDefinition => ({
      name: 'shop',
      machines: {
        db: {
          ...m('db'),
          keys: Object.fromEntries(Object.entries(keys).map(([name, key]) => [name, { ...key, destDir: keyDir }])),
        },
      },
    })
    await deploy(withKeys({ pw: { text: 'k3y-canary-one' }, old: { text: 'k3y-canary-old' } }))
    const rotated = await deploy(withKeys({ pw: { text: 'k3y-canary-two' }, added: { text: 'k3y-canary-new' } }))
    expect(rotated.summary.changed).toEqual(['db'])
    expect(rotated.summary.outcomes[0]?.changes).toEqual([
      { action: 'update', subject: 'key pw', detail: `${keyDir}/pw` },
      { action: 'create', subject: 'key added', detail: `${keyDir}/added` },
      { action: 'delete', subject: 'key old', detail: `${keyDir}/old` },
    ])
    expect(JSON.stringify(rotated.summary)).not.toContain('k3y-canary')
    expect(rotated.state.machines.db?.generations?.map((g) => g.number)).toEqual([1])
    const again = await deploy(withKeys({ pw: { text: 'k3y-canary-two' }, added: { text: 'k3y-canary-new' } }))
    expect(again.summary.unchanged).toEqual(['db'])
  }, 180_000)

  it('a key whose source fails stops the deploy before any machine is provisioned', async () => {
    const definition: DeploymentDefinition = {
      name: 'shop',
      machines: { db: { ...m('db'), keys: { pw: { file: '/nonexistent/guix-ops-key' } } }, cache: m('cache') },
    }
    const error = await deploy(definition).catch((e: Error) => e)
    expect((error as Error).message).toBe('machine "db", key "pw": file /nonexistent/guix-ops-key does not exist')
    expect(provisions).toEqual([])
  })

  it('a deploy that finds every machine as recorded does not write the state', async () => {
    await deploy(shop())
    const file = path.join(stateDir, 'deployments', '11111111-2222-4333-8444-555555555555.json')
    const before = statSync(file)
    const { summary } = await deploy(shop())
    expect(summary.unchanged).toEqual(['db', 'cache', 'app', 'proxy'])
    // The same file, never replaced (a write goes through a temp file and a rename: a new inode).
    expect(statSync(file).ino).toBe(before.ino)
    await deploy(shop('v2'), { include: ['db'] })
    expect(statSync(file).ino).not.toBe(before.ino)
  })

  it('reads the generation in force while the driver plans, and the state follows the host', async () => {
    await deploy(shop())
    let planStarted = () => {}
    const planning = new Promise<void>((resolve) => {
      planStarted = resolve
    })
    const { plan } = files
    files.plan = (ctx, options) => {
      planStarted()
      return plan(ctx, options)
    }
    // The host's record answers only once the plan is under way: read one after the other, it never would.
    files.currentGeneration = async () => {
      const late = new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error('the plan did not start while the generation was read')), 5000).unref(),
      )
      await Promise.race([planning, late])
      return 2
    }
    try {
      const { summary, state, events } = await deploy(shop(), { include: ['db'] })
      expect(summary.unchanged).toEqual(['db'])
      expect(state.machines.db?.currentGeneration).toBe(2)
      expect(
        events.some((e) => e.type === 'log' && e.level === 'warn' && /generation 2 in force/.test(e.message)),
      ).toBe(true)
    } finally {
      files.plan = plan
      delete files.currentGeneration
    }
  })

  it('stops a machine whose host key changed, with both fingerprints', async () => {
    await deploy(shop())
    await sshd.rotateHostKey()
    const { summary } = await deploy(shop('v2'), { include: ['db'] })
    expect(summary.failed[0]?.machine).toBe('db')
    expect(summary.failed[0]?.error).toMatch(
      /host key of machine "db" .* has changed: pinned SHA256:\S+, presented SHA256:\S+/,
    )
    expect(readFileSync(path.join(outDir, 'db.txt'), 'utf8')).toBe('db v1')
  })
})

if (unavailable) console.warn(`skipping the deploy engine tests against a real sshd: ${unavailable}`)
