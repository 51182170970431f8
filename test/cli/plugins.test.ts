// Third-party plugins through the built CLI: linked with `plugins link`,
// listed by `platforms` without running them, and every kind of broken
// plugin reported by package name and reason while the others keep working.
import { cpSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { beforeEach, describe, expect, it } from 'vitest'
import { FIXTURES, guixOps, json, ROOT, tempDir } from '../support/cli.js'

interface Row {
  kind: string
  name: string
  package: string
  source: string
  apiVersion: number | null
  capabilities: string[] | null
  problem: { code: string; message: string } | null
}

const plugin = (name: string) => path.join(FIXTURES, 'plugins', name)

function configWith(plugins: string[], platform = 'fake-cloud'): string {
  const file = path.join(tempDir('guix-ops-plugins-config-'), 'guix-ops.config.json')
  writeFileSync(
    file,
    JSON.stringify({
      name: 'fleet',
      plugins: plugins.map(plugin),
      machines: { a: { platform: { type: platform, region: 'north' }, system: { type: 'fake-os' } } },
    }),
  )
  return file
}

describe('plugins', () => {
  let stateDir: string
  beforeEach(() => {
    stateDir = tempDir()
  })
  const run = (args: string[]) => guixOps(args, { stateDir })
  const rows = (args: string[]) => json<Row[]>(run(['platforms', '--json', ...args]))

  it('lists plugins from manifests alone: a module that throws on import is not run', () => {
    const config = configWith(['fake-cloud', 'throws-on-import'])
    const listed = rows(['-c', config])
    expect(listed.find((r) => r.name === 'explodes')).toMatchObject({
      package: 'guix-ops-fixture-throws-on-import',
      source: 'config',
      problem: null,
    })
    expect(listed.find((r) => r.name === 'fake-cloud')).toMatchObject({ version: '1.2.3', apiVersion: 1 })
    const text = run(['platforms', '-c', config])
    expect(text.code).toBe(0)
    expect(text.stdout).toMatch(/^KIND\s+NAME\s+PACKAGE\s+VERSION\s+SOURCE\s+API\s+CAPABILITIES\s+PROBLEM/)
    expect(text.stdout).toMatch(/platform\s+qemu\s+@guix-ops\/plugin-qemu\s+0\.1\.0\s+bundled\s+1/)
  })

  it('finds bundled plugins and linked ones by one route: a linked copy of a bundled plugin takes its place', () => {
    // Run from outside the checkout, whose own node_modules would show the workspace's packages too.
    const cwd = tempDir('guix-ops-elsewhere-')
    const runElsewhere = (args: string[]) => guixOps(args, { stateDir, cwd })
    const listed = (args: string[] = []) => json<Row[]>(runElsewhere(['platforms', '--json', ...args]))
    expect(listed().find((r) => r.name === 'qemu')).toMatchObject({
      package: '@guix-ops/plugin-qemu',
      source: 'bundled',
    })
    expect(listed().find((r) => r.name === 'debian')).toMatchObject({ version: '0.1.0', source: 'bundled' })
    const plugins = () =>
      json<{ name: string; source: string; provides: string[] }[]>(runElsewhere(['plugins', '--json']))
    expect(plugins().find((p) => p.name === '@guix-ops/plugin-qemu')).toMatchObject({
      source: 'bundled',
      provides: ['platform qemu', 'command image build', 'command image list', 'command image rm'],
    })
    expect(runElsewhere(['plugins']).stdout).toMatch(/@guix-ops\/plugin-debian\s+0\.1\.0\s+bundled\s+system debian/)

    // A working copy of the debian driver, linked as a third party links theirs.
    const copy = path.join(tempDir('guix-ops-debian-copy-'), 'debian')
    for (const built of ['dist', 'bundle'])
      cpSync(path.join(ROOT, 'plugins/debian', built), path.join(copy, built), { recursive: true })
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'plugins/debian/package.json'), 'utf8'))
    writeFileSync(path.join(copy, 'package.json'), JSON.stringify({ ...pkg, version: '0.1.1-dev' }))
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(copy, 'node_modules'))
    expect(runElsewhere(['plugins', 'link', copy, '--no-install']).code).toBe(0)
    const debian = listed().filter((r) => r.name === 'debian')
    expect(debian).toEqual([expect.objectContaining({ version: '0.1.1-dev', source: 'user', problem: null })])
    expect(plugins().find((p) => p.name === '@guix-ops/plugin-debian')).toMatchObject({ source: 'link' })
    expect(listed(['--load']).find((r) => r.name === 'debian')?.problem).toBeNull()
  })

  it("gives a third party's commands the CLI's command API, from outside any node_modules", () => {
    // What a plugin's command builds on, as the bundled ones do: BaseCommand (--json, errors with code and hint).
    const dir = path.join(tempDir('guix-ops-third-party-'), 'greeter')
    mkdirSync(path.join(dir, 'commands'), { recursive: true })
    writeFileSync(
      path.join(dir, 'package.json'),
      JSON.stringify({ name: 'guix-ops-greeter', version: '1.0.0', type: 'module', oclif: { commands: './commands' } }),
    )
    writeFileSync(
      path.join(dir, 'commands', 'greet.js'),
      [
        "import { BaseCommand, Flags } from '@guix-ops/cli'",
        "import { GuixOpsError } from '@guix-ops/plugin-api'",
        'export default class Greet extends BaseCommand {',
        '  static flags = { fail: Flags.boolean() }',
        '  async run() {',
        '    const { flags } = await this.parse(Greet)',
        "    if (flags.fail) throw new GuixOpsError('E_GREET', 'no greeting today', { suggestion: 'drop --fail' })",
        "    this.log('hello')",
        '    return { greeted: true }',
        '  }',
        '}',
      ].join('\n'),
    )
    expect(run(['plugins', 'link', dir, '--no-install']).code).toBe(0)
    expect(run(['greet']).stdout).toBe('hello\n')
    expect(json(run(['greet', '--json']))).toEqual({ greeted: true })
    const failed = run(['greet', '--fail'])
    expect(failed.code).toBe(1)
    expect(failed.stderr).toBe('error E_GREET: no greeting today\n  hint: drop --fail\n')
  })

  it("finds the project's node_modules, and lists a package found twice once, under the first source", () => {
    const project = tempDir('guix-ops-project-')
    mkdirSync(path.join(project, 'node_modules'))
    symlinkSync(plugin('marker-system'), path.join(project, 'node_modules', 'guix-ops-fixture-marker-system'))
    const config = path.join(project, 'guix-ops.config.json')
    writeFileSync(config, JSON.stringify({ name: 'p', plugins: [plugin('marker-system')], machines: {} }))
    const markers = rows(['-c', config]).filter((r) => r.name === 'marker')
    expect(markers).toEqual([expect.objectContaining({ package: 'guix-ops-fixture-marker-system', source: 'project' })])
  })

  it('reports every broken plugin by package and reason, and the working one still loads', () => {
    const config = configWith(['broken-api', 'broken-manifest', 'throws-on-import', 'bad-contract', 'fake-cloud'])
    const listed = rows(['--load', '-c', config])
    const problem = (pkg: string) => listed.find((r) => r.package === `guix-ops-fixture-${pkg}`)?.problem
    expect(problem('broken-api')).toEqual({
      code: 'E_PLUGIN_API_VERSION',
      message:
        'plugin guix-ops-fixture-broken-api: built for plugin API version 99, but this guix-ops speaks version 1',
    })
    expect(problem('broken-manifest')).toEqual({
      code: 'E_PLUGIN_MANIFEST',
      message: 'plugin guix-ops-fixture-broken-manifest: "guix-ops.platforms" must map names to module paths',
    })
    expect(problem('throws-on-import')).toMatchObject({
      code: 'E_PLUGIN_LOAD',
      message: expect.stringMatching(/^platform "explodes" from guix-ops-fixture-throws-on-import failed to load: /),
    })
    expect(problem('bad-contract')).toMatchObject({
      code: 'E_PLUGIN_CONTRACT',
      message: expect.stringContaining('method "ssh" is missing'),
    })
    expect(listed.find((r) => r.name === 'fake-cloud')).toMatchObject({
      problem: null,
      capabilities: ['start', 'stop', 'destroy'],
    })

    // At use time the same reasons stop the command, naming the package.
    const future = run(['create', configWith(['broken-api'], 'future')])
    expect(future.code).not.toBe(0)
    expect(future.stderr).toContain(
      'platform "future" is provided by guix-ops-fixture-broken-api, which was built for plugin API version 99',
    )
    expect(run(['create', configWith(['fake-cloud', 'bad-contract'])]).code).toBe(0)
  })

  it('refuses a platform name provided by two packages, naming both', () => {
    expect(run(['plugins', 'link', plugin('fake-cloud-clone')]).code).toBe(0)
    const config = configWith(['fake-cloud'])
    const clash = rows(['-c', config]).filter((r) => r.name === 'fake-cloud')
    expect(clash.map((r) => [r.package, r.source])).toEqual([
      ['guix-ops-fixture-fake-cloud-clone', 'user'],
      ['guix-ops-fixture-fake-cloud', 'config'],
    ])
    expect(clash[0]?.problem?.code).toBe('E_PLUGIN_CONFLICT')
    const created = run(['create', config])
    expect(created.code).not.toBe(0)
    expect(created.stderr).toMatch(
      /platform "fake-cloud" is provided by two packages: guix-ops-fixture-fake-cloud-clone \(user, .*\) and guix-ops-fixture-fake-cloud \(config, .*\)/,
    )
    expect(run(['plugins', 'unlink', 'guix-ops-fixture-fake-cloud-clone']).code).toBe(0)
    expect(run(['create', config]).code).toBe(0)
  })

  it('refuses to link a package that is not a CLI plugin, saying what it lacks', () => {
    const refused = run(['plugins', 'link', plugin('fake-cloud')])
    expect(refused.code).not.toBe(0)
    expect(refused.stderr).toContain(
      'error E_PLUGIN_INSTALL: the package is not a guix-ops plugin: its package.json has no "oclif" key',
    )
  })

  it('adds the subcommands of a linked plugin and lists its hooks', () => {
    expect(run(['hello']).code).not.toBe(0)
    expect(run(['plugins', 'link', plugin('hook-order')]).code).toBe(0)
    expect(run(['hello']).stdout).toBe('hello from guix-ops-fixture-hook-order\n')
    expect(rows([]).find((r) => r.kind === 'hooks')).toMatchObject({
      name: 'guix-ops-fixture-hook-order',
      source: 'user',
    })
    const listed = json<{ name: string; type: string }[]>(run(['plugins', '--json']))
    expect(listed.map((p) => [p.name, p.type])).toContainEqual(['guix-ops-fixture-hook-order', 'link'])
  })

  it("shows npm's own error when an install fails, and installs nothing", () => {
    const dir = tempDir()
    const tarball = path.join(dir, 'not-a-package-1.0.0.tgz')
    writeFileSync(tarball, 'this is not a gzip file')
    // oclif loads plugins concurrently, so compare what is installed, not the order it is listed in.
    const installed = () =>
      json<{ name: string; type: string; version: string }[]>(run(['plugins', '--json']))
        .map((p) => `${p.type} ${p.name}@${p.version}`)
        .sort()
    const before = installed()
    const failed = guixOps(['plugins', 'install', './not-a-package-1.0.0.tgz'], { stateDir, cwd: dir })
    expect(failed.stderr).toContain(`Installing plugin file:${tarball}`)
    expect(failed.code).not.toBe(0)
    expect(failed.stdout + failed.stderr).toContain('npm error TAR_BAD_ARCHIVE: Unrecognized archive format')
    expect(failed.stderr).toContain(
      `error E_PLUGIN_INSTALL: npm could not install file:${tarball}; its own error is above`,
    )
    expect(installed()).toEqual(before)
  })
})
