// A TypeScript config that Node loads as it is and whose value is plain
// data runs its code only inside calls bounded one by one (node:vm's
// timeout): no watchdog thread is started for it, an endless loop still
// fails within the deadline with E_CONFIG_TIMEOUT, and anything that could
// run code later (a getter, a proxy, a promise) keeps the watchdog thread.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { MachineResults } from '@guix-ops/plugin-api'
import { describe, expect, it } from 'vitest'
import { caught } from '../../../../test/support/errors.js'
import { PluginRegistry } from '../registry/index.js'
import { analyzeDeployment } from './analyze.js'
import { watchdogArmings, withinDeadline } from './deadline.js'
import { loadConfig } from './load.js'
import { normalizeConfig } from './normalize.js'

const deadline = { ms: 800 }

function configFile(body: string): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'guix-ops-guarded-')), 'guix-ops.config.ts')
  writeFileSync(file, `import { defineDeployment } from '@guix-ops/plugin-api'\n${body}\n`)
  return file
}

const machine = `{ platform: { type: 'fake-cloud' }, system: { type: 'fake-os' } }`

type Machines = Record<string, unknown>
const machinesOf = (value: unknown) => (value as { machines: Machines }).machines

describe('configs whose code runs only in bounded calls', () => {
  it('loads a plain config, and calls its machine functions, with no watchdog thread', async () => {
    const file = configFile(`const size: number = 2
export default defineDeployment({ name: 'plain', machines: { db: ${machine}, web: ({ db }) => ({ ...${machine}, tags: [db.address] }) } })`)
    const before = watchdogArmings()
    const loaded = await loadConfig({ file, deadline })
    expect(loaded.guardedCalls).toBe(true)
    const web = machinesOf(loaded.value).web as (results: MachineResults) => { tags: string[] }
    const spec = await withinDeadline(file, deadline, async () => web({ db: { address: '10.0.0.2' } } as never), {
      watchdog: 'on-demand',
    })
    expect(spec.tags).toEqual(['10.0.0.2'])
    expect(watchdogArmings()).toBe(before)
  })

  it('stops an endless loop in the module body within the deadline', async () => {
    const file = configFile(`for (;;) {}\nexport default defineDeployment({ name: 'loops', machines: {} })`)
    const started = performance.now()
    const error = await caught(loadConfig({ file, deadline }))
    expect(error.code).toBe('E_CONFIG_TIMEOUT')
    expect(error.message).toContain(file)
    expect(performance.now() - started).toBeLessThan(10_000)
  })

  it('stops a machine function that loops, naming the machine', async () => {
    const file = configFile(
      `export default defineDeployment({ name: 'm', machines: { web: ({ db }) => { if (db.address) for (;;) {} return ${machine} } } })`,
    )
    const loaded = await loadConfig({ file, deadline })
    const web = machinesOf(loaded.value).web as (results: unknown) => unknown
    const error = await caught(() => web({ db: { address: 'x' } }))
    expect(error.code).toBe('E_CONFIG_TIMEOUT')
    expect(error.where).toMatchObject({ file, machine: 'web' })
  })

  it('fails validation with E_CONFIG_TIMEOUT, not as a function that threw, when a function loops on stand-ins', async () => {
    const file = configFile(
      `export default defineDeployment({ name: 'm', machines: { db: ${machine}, web: ({ db }) => { for (;;) {} } } })`,
    )
    const config = normalizeConfig(await loadConfig({ file, deadline }))
    const fakeCloud = path.resolve(fileURLToPath(import.meta.url), '../../../../../test/fixtures/plugins/fake-cloud')
    const registry = PluginRegistry.discover({ configPlugins: [fakeCloud] })
    const analysis = withinDeadline(file, deadline, () => analyzeDeployment(file, config.deployments[0]!, registry), {
      watchdog: 'on-demand',
    })
    const error = await caught(analysis)
    expect(error.code).toBe('E_CONFIG_TIMEOUT')
    expect(error.where).toMatchObject({ machine: 'web' })
  })

  it('copies a value with shared parts once, keeping them shared, and what tells its properties apart', async () => {
    const file = configFile(`let deep: Record<string, unknown> = {}
for (let i = 0; i < 40; i++) deep = { a: deep, b: deep }
const hidden = Object.freeze({ name: 'h' })
const platform = { type: 'fake-cloud', deep, hidden, ['__proto__']: 'a key' }
Object.defineProperty(platform, 'secret', { value: 1, enumerable: false })
export default defineDeployment({ name: 'd', machines: { m: { platform, system: { type: 'fake-os' } } } as never })`)
    const started = performance.now()
    const loaded = await loadConfig({ file, deadline })
    expect(performance.now() - started).toBeLessThan(5_000)
    expect(loaded.guardedCalls).toBe(true)
    const platform = (machinesOf(loaded.value).m as { platform: Record<string, { a: unknown; b: unknown }> }).platform
    expect(platform.deep!.a).toBe(platform.deep!.b)
    expect(Object.isFrozen(platform.hidden)).toBe(true)
    expect(Object.keys(platform)).toEqual(['type', 'deep', 'hidden', '__proto__'])
    expect(Object.getPrototypeOf(platform)).toBe(Object.prototype)
    expect(Object.getOwnPropertyDescriptor(platform, 'secret')).toMatchObject({ value: 1, enumerable: false })
  })

  it('keeps the watchdog thread for a config that changes a built-in guix-ops reads with', async () => {
    const file =
      configFile(`Object.defineProperty(Object.prototype, 'guixOpsTestTrap', { get() { return 1 }, configurable: true })
export default defineDeployment({ name: 'b', machines: {} })`)
    try {
      const before = watchdogArmings()
      const loaded = await loadConfig({ file, deadline })
      expect(loaded.guardedCalls).toBe(false)
      expect(watchdogArmings()).toBeGreaterThan(before)
    } finally {
      delete (Object.prototype as Record<string, unknown>).guixOpsTestTrap
    }
  })

  it('refuses process.exit() in a machine function even when the config catches the refusal', async () => {
    const file = configFile(
      `export default defineDeployment({ name: 'm', machines: { web: () => { try { process.exit(3) } catch {} return ${machine} } } })`,
    )
    const loaded = await loadConfig({ file, deadline })
    const web = machinesOf(loaded.value).web as () => unknown
    const error = await caught(() => web())
    expect(error.code).toBe('E_CONFIG_LOAD')
    expect(error.message).toContain('process.exit(3)')
  })

  for (const [what, body, value] of [
    ['a getter', `export default { name: 'g', get machines() { return {} } }`, undefined],
    ['a proxy', `export default new Proxy({ name: 'p', machines: {} }, {})`, undefined],
    ['a class instance', `class D { name = 'c'; machines = {} }\nexport default new D()`, undefined],
    ['a function outside machines', `export default { name: 'f', machines: {}, toJSON: () => 1 }`, undefined],
    ['a promise of the deployment', `export default Promise.resolve({ name: 'later', machines: {} })`, 'later'],
    [
      'top-level await',
      `const name = await Promise.resolve('awaited')\nexport default { name, machines: {} }`,
      'awaited',
    ],
  ] as const) {
    it(`keeps the watchdog thread for a config with ${what}`, async () => {
      const file = configFile(body)
      const before = watchdogArmings()
      const loaded = await loadConfig({ file, deadline })
      expect(loaded.guardedCalls).toBe(false)
      if (value !== undefined) expect((loaded.value as { name: string }).name).toBe(value)
      expect(watchdogArmings()).toBeGreaterThan(before)
    })
  }

  it('starts no watchdog thread for a spec that holds a stand-in of another machine during analysis', async () => {
    const file = configFile(
      `export default defineDeployment({ name: 'm', machines: { db: ${machine}, web: ({ db }) => ({ ...${machine}, tags: [db.address] }) } })`,
    )
    const config = normalizeConfig(await loadConfig({ file, deadline }))
    const fakeCloud = path.resolve(fileURLToPath(import.meta.url), '../../../../../test/fixtures/plugins/fake-cloud')
    const registry = PluginRegistry.discover({ configPlugins: [fakeCloud] })
    const before = watchdogArmings()
    await withinDeadline(file, deadline, () => analyzeDeployment(file, config.deployments[0]!, registry), {
      watchdog: 'on-demand',
    }).catch(() => undefined)
    expect(watchdogArmings()).toBe(before)
  })

  it('starts the watchdog thread when a machine function returns a promise during analysis', async () => {
    const file = configFile(
      `export default defineDeployment({ name: 'm', machines: { web: async () => (${machine}) } })`,
    )
    const loaded = await loadConfig({ file, deadline })
    expect(loaded.guardedCalls).toBe(true)
    const web = machinesOf(loaded.value).web as () => Promise<unknown>
    const before = watchdogArmings()
    await withinDeadline(file, deadline, async () => web(), { watchdog: 'on-demand' })
    expect(watchdogArmings()).toBeGreaterThan(before)
  })
})
