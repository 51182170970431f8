import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { PluginRegistry } from './registry.js'

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../test/fixtures/plugins')
const fixture = (name: string) => path.join(FIXTURES, name)

describe('PluginRegistry', () => {
  it('lists platforms and systems from manifests without importing them', () => {
    // throws-on-import would throw if imported; listing must not.
    const registry = PluginRegistry.discover({ configPlugins: [fixture('fake-cloud'), fixture('throws-on-import')] })
    expect(registry.names('platform')).toEqual(['explodes', 'fake-cloud', 'managed'])
    expect(registry.names('system')).toEqual(['fake-os'])
    expect(registry.entry('platform', 'fake-cloud')).toMatchObject({
      packageName: 'guix-ops-fixture-fake-cloud',
      version: '1.2.3',
      source: 'config',
      apiVersion: 1,
    })
  })

  it('loads a platform when asked and checks its contract', async () => {
    const registry = PluginRegistry.discover({ configPlugins: [fixture('fake-cloud')] })
    const platform = await registry.platform('fake-cloud')
    expect(platform.name).toBe('fake-cloud')
    expect(typeof platform.provision).toBe('function')
  })

  it('reports each broken plugin by name and keeps the others working', async () => {
    const registry = PluginRegistry.discover({
      configPlugins: [
        fixture('broken-api'),
        fixture('throws-on-import'),
        fixture('bad-contract'),
        fixture('fake-cloud'),
      ],
    })
    expect(registry.problems.map((p) => [p.packageName, p.error.code])).toEqual([
      ['guix-ops-fixture-broken-api', 'E_PLUGIN_API_VERSION'],
    ])
    await expect(registry.platform('explodes')).rejects.toMatchObject({ code: 'E_PLUGIN_LOAD' })
    await expect(registry.platform('half')).rejects.toMatchObject({
      code: 'E_PLUGIN_CONTRACT',
      message: expect.stringContaining('method "ssh" is missing'),
    })
    await expect(registry.platform('fake-cloud')).resolves.toMatchObject({ name: 'fake-cloud' })
  })

  it('finds plugins in the project node_modules, and a name from two packages is an error naming both', () => {
    const project = mkdtempSync(path.join(tmpdir(), 'guix-ops-project-'))
    const vendored = path.join(project, 'node_modules', '@acme', 'cloud')
    mkdirSync(path.dirname(vendored), { recursive: true })
    cpSync(fixture('fake-cloud'), vendored, { recursive: true })
    writeFileSync(
      path.join(vendored, 'package.json'),
      JSON.stringify({
        name: '@acme/cloud',
        version: '2.0.0',
        type: 'module',
        'guix-ops': { apiVersion: 1, platforms: { 'fake-cloud': './platform.js' } },
      }),
    )
    const alone = PluginRegistry.discover({ projectDir: project })
    expect(alone.entry('platform', 'fake-cloud')).toMatchObject({ packageName: '@acme/cloud', source: 'project' })

    const both = PluginRegistry.discover({ projectDir: project, configPlugins: [fixture('fake-cloud')] })
    expect(() => both.entry('platform', 'fake-cloud')).toThrow(
      /provided by two packages: @acme\/cloud \(project, .*\) and guix-ops-fixture-fake-cloud \(config, .*\)/,
    )
  })

  it('lists a package found as installed and in the config once, as installed', () => {
    const registry = PluginRegistry.discover({
      configPlugins: [fixture('fake-cloud')],
      cliPlugins: [{ dir: fixture('fake-cloud'), bundled: false }],
    })
    expect(registry.entry('platform', 'fake-cloud').source).toBe('user')
  })

  it('reads the plugins bundled with the CLI and those installed into it by the same manifest route', () => {
    const qemu = path.resolve(FIXTURES, '../../../plugins/qemu')
    const registry = PluginRegistry.discover({
      cliPlugins: [
        { dir: fixture('fake-cloud-clone'), bundled: false },
        { dir: qemu, bundled: true },
      ],
    })
    expect(registry.entry('platform', 'qemu')).toMatchObject({
      packageName: '@guix-ops/plugin-qemu',
      source: 'bundled',
    })
    expect(registry.entry('platform', 'fake-cloud')).toMatchObject({
      packageName: 'guix-ops-fixture-fake-cloud-clone',
      source: 'user',
    })
    // Bundled ones come first whatever order the CLI loaded them in.
    expect(registry.entries.map((e) => e.source)).toEqual(['builtin', 'bundled', 'user'])
  })

  it('names the package a deployment was deployed with when its platform is gone', () => {
    const registry = PluginRegistry.discover({ recordedProviders: { 'platform:acme': 'acme-platform' } })
    expect(() => registry.entry('platform', 'acme')).toThrow(
      'platform "acme" is missing: this deployment was deployed with it from the package acme-platform, which is no longer installed',
    )
  })

  it('imports a hooks module only when asked, and checks it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'guix-ops-hooks-'))
    writeFileSync(
      path.join(dir, 'package.json'),
      JSON.stringify({ name: 'half-hooks', type: 'module', 'guix-ops': { apiVersion: 1, hooks: './hooks.js' } }),
    )
    writeFileSync(path.join(dir, 'hooks.js'), 'export default { name: "half" }\n')
    const registry = PluginRegistry.discover({ configPlugins: [dir] })
    expect(registry.hooks.map((h) => h.packageName)).toEqual(['half-hooks'])
    await expect(registry.hookPlugins()).rejects.toMatchObject({
      code: 'E_PLUGIN_CONTRACT',
      message: expect.stringContaining('the hooks of half-hooks do not satisfy the plugin contract'),
    })
  })

  it('refuses a manifest that points outside its package', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'guix-ops-escape-'))
    writeFileSync(
      path.join(dir, 'package.json'),
      JSON.stringify({ name: 'escape', 'guix-ops': { apiVersion: 1, platforms: { x: '../../etc/passwd' } } }),
    )
    const registry = PluginRegistry.discover({ configPlugins: [dir] })
    expect(registry.problems[0]?.error.message).toContain('points outside the package')
  })
})
