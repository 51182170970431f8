/**
 * The built engine (bundle/, as `guix-ops` runs it) in a child process:
 * Node's resolve hooks act there, not in the test runner's own loader.
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const CORE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const BUNDLE = path.join(CORE, 'bundle')
const REPO_ZOD = path.resolve(CORE, '../../node_modules/zod')

/** A platform plugin whose module tells which zod it was given. */
function plugin(root: string, name: string, zod: (dir: string) => void): string {
  const dir = path.join(root, name)
  mkdirSync(path.join(dir, 'node_modules'), { recursive: true })
  zod(path.join(dir, 'node_modules', 'zod'))
  writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({
      name,
      version: '1.0.0',
      type: 'module',
      'guix-ops': { apiVersion: 1, platforms: { [name]: './platform.js' } },
    }),
  )
  writeFileSync(
    path.join(dir, 'platform.js'),
    `import { definePlatform } from '@guix-ops/plugin-api'
import * as zod from 'zod'
export const zodSeen = zod
const options = { '~standard': { version: 1, vendor: 'test', validate: (value) => ({ value }) } }
export default definePlatform({ name: '${name}', apiVersion: 1, options, capabilities: {},
  provision: async () => ({}), destroy: async () => {}, status: async () => ({ state: 'running' }), ssh: async () => ({}) })
`,
  )
  return dir
}

/** Loads both platforms through the built registry; says which zod each got and which zod files were loaded. */
function loadThroughEngine(dirs: string[]) {
  const script = `
import { registerHooks } from 'node:module'
const loaded = []
registerHooks({ load(url, context, next) { if (url.includes('zod')) loaded.push(url); return next(url, context) } })
const { PluginRegistry } = await import(${JSON.stringify(path.join(BUNDLE, 'index.js'))})
const registry = PluginRegistry.discover({ configPlugins: ${JSON.stringify(dirs)} })
const seen = {}
for (const dir of ${JSON.stringify(dirs)}) {
  const name = dir.split('/').pop()
  await registry.platform(name)
  const mod = await import(new URL('platform.js', 'file://' + dir + '/').href)
  const bundled = await import(${JSON.stringify(path.join(BUNDLE, 'zod.js'))})
  seen[name] = mod.zodSeen.z === bundled.z ? 'bundled' : (mod.zodSeen.marker ?? 'another copy')
}
console.log(JSON.stringify({ seen, loaded }))
`
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })
  if (run.status !== 0) throw new Error(`the engine failed: ${run.stderr}`)
  return JSON.parse(run.stdout) as { seen: Record<string, string>; loaded: string[] }
}

describe('zod, bundled once for the engine and its plugins', () => {
  it('exports every name zod itself exports', async () => {
    const record = JSON.parse(readFileSync(path.join(BUNDLE, 'zod.json'), 'utf8')) as { version: string }
    const zodPackage = JSON.parse(readFileSync(path.join(REPO_ZOD, 'package.json'), 'utf8')) as { version: string }
    expect(record.version).toBe(zodPackage.version)
    const run = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const a = await import(${JSON.stringify(path.join(BUNDLE, 'zod.js'))}); const b = await import(${JSON.stringify(path.join(REPO_ZOD, 'index.js'))})
console.log(JSON.stringify([Object.keys(a).sort(), Object.keys(b).sort(), Object.keys(a.z).length, Object.keys(b.z).length]))`,
      ],
      { encoding: 'utf8' },
    )
    const [bundledNames, zodNames, bundledZ, zodZ] = JSON.parse(run.stdout)
    expect(bundledNames).toEqual(zodNames)
    expect(bundledZ).toBe(zodZ)
  })

  it('gives a plugin whose zod is the same version the bundled one, and a plugin of another version its own', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'guix-ops-test-shared-zod-'))
    const same = plugin(root, 'same-zod', (dir) => symlinkSync(REPO_ZOD, dir))
    const other = plugin(root, 'other-zod', (dir) => {
      mkdirSync(dir)
      writeFileSync(
        path.join(dir, 'package.json'),
        JSON.stringify({ name: 'zod', version: '3.99.0', type: 'module', exports: { '.': { import: './index.js' } } }),
      )
      writeFileSync(path.join(dir, 'index.js'), `export const marker = 'zod 3.99.0'\nexport const z = {}\n`)
    })
    const { seen, loaded } = loadThroughEngine([same, other])
    expect(seen).toEqual({ 'same-zod': 'bundled', 'other-zod': 'zod 3.99.0' })
    // The engine's own checks ran on the bundled copy too: no module of zod's package build was loaded.
    expect(loaded.filter((url) => url.includes('/node_modules/zod/') && !url.startsWith(`file://${other}`))).toEqual([])
  })
})
