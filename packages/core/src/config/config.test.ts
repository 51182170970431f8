import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { GuixOpsError } from '@guix-ops/plugin-api'
import { describe, expect, it } from 'vitest'
import { caught } from '../../../../test/support/errors.js'
import { PluginRegistry } from '../registry/index.js'
import { analyzeDeployment } from './analyze.js'
import { loadConfig } from './load.js'
import { normalizeConfig } from './normalize.js'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..')
const FAKE_CLOUD = path.join(ROOT, 'test/fixtures/plugins/fake-cloud')

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'guix-ops-config-'))
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true })
    writeFileSync(path.join(dir, name), content)
  }
  return dir
}

const registry = () => PluginRegistry.discover({ configPlugins: [FAKE_CLOUD] })

async function analyze(value: unknown) {
  const config = normalizeConfig({ file: '/cfg/guix-ops.config.ts', value })
  return analyzeDeployment(config.file, config.deployments[0]!, registry())
}

describe('loadConfig', () => {
  it('loads a TypeScript config without a build step, importing the plugin API from anywhere', async () => {
    const dir = project({
      'guix-ops.config.ts': `import { defineDeployment } from '@guix-ops/plugin-api'
interface Sized { size: number }
const small: Sized = { size: 1 }
export default defineDeployment({ name: 'ts', machines: { a: { platform: { type: 'fake-cloud', region: 'north', size: small.size }, system: { type: 'fake-os' } } } })`,
    })
    const loaded = await loadConfig({ cwd: dir })
    expect(loaded.file).toBe(path.join(dir, 'guix-ops.config.ts'))
    expect((loaded.value as { name: string }).name).toBe('ts')
  })

  // Node's type stripping loads the first; jiti the enum and the relative import.
  for (const [what, extra] of [
    ['only erasable types', 'type Size = number\nconst size: Size = 1'],
    ['an enum', 'enum Size { Small = 1 }\nconst size = Size.Small'],
    ['a relative import', "import { size } from './size'"],
  ]) {
    it(`runs a TypeScript config with ${what} once per load, afresh each time`, async () => {
      const dir = project({ 'size.ts': 'export const size: number = 1\n' })
      const runs = path.join(dir, 'runs.log')
      const source = (name: string) => `import { appendFileSync } from 'node:fs'
import { defineDeployment } from '@guix-ops/plugin-api'
${extra}
appendFileSync(${JSON.stringify(runs)}, 'ran\\n')
export default defineDeployment({ name: '${name}', machines: { a: { platform: { type: 'fake-cloud', size }, system: { type: 'fake-os' } } } })\n`
      writeFileSync(path.join(dir, 'guix-ops.config.ts'), source('first'))
      expect(((await loadConfig({ cwd: dir })).value as { name: string }).name).toBe('first')
      writeFileSync(path.join(dir, 'guix-ops.config.ts'), source('second'))
      expect(((await loadConfig({ cwd: dir })).value as { name: string }).name).toBe('second')
      expect(readFileSync(runs, 'utf8')).toBe('ran\nran\n')
    })
  }

  it('searches from the cwd upward and prefers package.json#guix-ops in the same dir', async () => {
    const dir = project({
      'package.json': JSON.stringify({ name: 'p', 'guix-ops': { name: 'from-pkg', machines: {} } }),
      'guix-ops.config.yaml': 'name: from-yaml\nmachines: {}\n',
      'sub/deeper/.keep': '',
    })
    const loaded = await loadConfig({ cwd: path.join(dir, 'sub/deeper') })
    expect(loaded.value).toEqual({ name: 'from-pkg', machines: {} })
  })

  it('loads YAML and reports where it is broken', async () => {
    const dir = project({ 'guix-ops.config.yml': 'name: y\nmachines:\n  a: [1,\n' })
    const error = await caught(loadConfig({ cwd: dir }))
    expect(error.code).toBe('E_CONFIG_LOAD')
    expect(error.where?.file).toBe(path.join(dir, 'guix-ops.config.yml'))
  })

  it('says so when there is no config anywhere up the tree', async () => {
    const error = await caught(loadConfig({ cwd: mkdtempSync(path.join(tmpdir(), 'empty-')) }))
    expect(error.code).toBe('E_CONFIG_NOT_FOUND')
  })
})

describe('normalizeConfig', () => {
  it('accepts several deployments and resolves plugin paths from the config dir', () => {
    const config = normalizeConfig({
      file: '/srv/fleet/guix-ops.config.ts',
      value: {
        plugins: ['./p'],
        deployments: [
          { name: 'a', machines: {} },
          { name: 'b', machines: {}, plugins: ['../q'] },
        ],
      },
    })
    expect(config.deployments.map((d) => d.definition.name)).toEqual(['a', 'b'])
    expect(config.deployments[1]!.plugins).toEqual(['/srv/fleet/p', '/srv/q'])
    expect(config.deployments[1]!.prefix).toBe('deployments[1].')
  })

  it('collects every shape error with its path', () => {
    let error: GuixOpsError | undefined
    try {
      normalizeConfig({
        file: '/c.ts',
        value: { name: 'bad name', machines: { a: { platform: 'qemu', system: { type: 'debian' }, tags: [1] } } },
      })
    } catch (e) {
      error = e as GuixOpsError
    }
    expect(error?.code).toBe('E_CONFIG_INVALID')
    expect(error?.details.map((d) => d.message)).toEqual([
      'name: invalid deployment name "bad name"',
      `machines.a.platform: expected a platform like { type: 'qemu' }, got "qemu"`,
      'machines.a.tags[0]: expected a non-empty string, got 1',
    ])
  })
})

describe('analyzeDeployment', () => {
  it('infers dependencies 3 levels deep and groups independent machines', async () => {
    const m = (extra: object = {}) => ({
      platform: { type: 'fake-cloud', region: 'north' },
      system: { type: 'fake-os', ...extra },
    })
    const analysis = await analyze({
      name: 'deep',
      machines: {
        db: m(),
        cache: m(),
        app: ({ db, cache }: Record<string, { address: string }>) => m({ peers: [db!.address, cache!.address] }),
        proxy: ({ app }: Record<string, { address: string }>) => m({ motd: `app at ${app!.address}` }),
        monitor: ({ proxy }: Record<string, { address: string }>) => m({ peers: [proxy!.address] }),
      },
    })
    expect(analysis.levels).toEqual([['db', 'cache'], ['app'], ['proxy'], ['monitor']])
    expect(analysis.machines.find((x) => x.name === 'app')?.dependencies).toEqual(['cache', 'db'])
  })

  it('validates options with the plugin schema, naming the field, and skips values that wait on other machines', async () => {
    const error = await caught(
      analyze({
        name: 'v',
        machines: {
          a: { platform: { type: 'fake-cloud', region: 'east' }, system: { type: 'fake-os' } },
          b: ({ a }: Record<string, { address: string }>) => ({
            platform: { type: 'fake-cloud', region: 'north' },
            system: { type: 'fake-os', motd: a!.address },
          }),
        },
      }),
    )
    expect(error.code).toBe('E_PLATFORM_OPTION')
    expect(error.message).toBe('machines.a.platform.region: expected one of "north", "south", got "east"')
    expect(error.where).toMatchObject({
      file: '/cfg/guix-ops.config.ts',
      path: 'machines.a.platform.region',
      machine: 'a',
    })
  })

  it('refuses two machines that name the same host and port, naming both; other ports and computed hosts pass', async () => {
    const managed = (host: string, port?: number) => ({ type: 'managed', host, ...(port ? { port } : {}) })
    const error = await caught(
      analyze({
        name: 'h',
        machines: {
          db: { platform: managed('192.0.2.10'), system: { type: 'fake-os' } },
          web: { platform: managed('192.0.2.10', 22), system: { type: 'fake-os' } },
          other: { platform: managed('192.0.2.10', 2222), system: { type: 'fake-os' } },
          near: ({ db }: Record<string, { address: string }>) => ({
            platform: managed(db!.address),
            system: { type: 'fake-os' },
          }),
        },
      }),
    )
    expect(error.code).toBe('E_SHARED_HOST')
    expect(error.message).toBe(
      `machines.web.platform.host: machines "db" and "web" both name host 192.0.2.10 port 22: two machines on one host would change and remove each other's files`,
    )
    expect(error.where).toMatchObject({ path: 'machines.web.platform.host', machine: 'web' })
  })

  it('names unknown platforms with a did-you-mean and the known ones', async () => {
    const error = await caught(
      analyze({ name: 'u', machines: { a: { platform: { type: 'fake-clod' }, system: { type: 'fake-os' } } } }),
    )
    expect(error.code).toBe('E_UNKNOWN_PLATFORM')
    expect(error.suggestion).toContain('did you mean "fake-cloud"?')
  })
})
