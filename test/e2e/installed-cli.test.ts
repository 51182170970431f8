// The CLI as a user gets it: the workspace's packages packed with `npm pack`
// and installed together with `npm install -g` into a prefix of the test's
// own, with no checkout to lean on. npm reaches no registry: a stand-in on
// 127.0.0.1 answers for the packed packages and the versions the lockfile
// pins, whose tarballs npm takes from its cache.
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { execa, execaSync } from 'execa'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ROOT, tempDir } from '../support/cli.js'
import { type LocalRegistry, type PackedPackage, startLocalRegistry } from '../support/local-registry.js'

/** What a plain install of the CLI brings: the CLI and the workspace packages it depends on. */
const WORKSPACE_DIRS = [
  'packages/plugin-api',
  'packages/core',
  'plugins/qemu',
  'plugins/debian',
  'plugins/guix',
  'plugins/lxc',
  'plugins/ec2',
  'packages/cli',
]

const cleanEnv = (env: NodeJS.ProcessEnv = {}) => ({
  // Neither this run's vitest settings nor the npm settings of a calling `npm run` leak in.
  ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(VITEST|npm_)/i.test(k))),
  NO_COLOR: '1',
  ...env,
})

function run(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }) {
  const result = execaSync(command, args, {
    cwd: options.cwd,
    env: cleanEnv(options.env),
    reject: false,
    timeout: 300_000,
  })
  return { code: result.exitCode, stdout: result.stdout, stderr: result.stderr }
}

describe('the CLI installed from its tarballs', () => {
  let registry: LocalRegistry
  let prefix: string
  let home: string

  beforeAll(async () => {
    const packs = tempDir('guix-ops-packs-')
    const packed: PackedPackage[] = WORKSPACE_DIRS.map((dir) => {
      const made = run('npm', ['pack', '--json', '--pack-destination', packs], { cwd: path.join(ROOT, dir) })
      expect(made.code, made.stderr).toBe(0)
      const [{ filename }] = JSON.parse(made.stdout) as [{ filename: string }]
      const manifest = JSON.parse(readFileSync(path.join(ROOT, dir, 'package.json'), 'utf8'))
      return { file: path.join(packs, filename), manifest }
    })
    registry = await startLocalRegistry(path.join(ROOT, 'package-lock.json'), packed)
    prefix = tempDir('guix-ops-prefix-')
    // Not spawned synchronously: the registry answers from this process.
    const installed = await execa(
      'npm',
      [
        'install',
        '--global',
        '--prefix',
        prefix,
        '--registry',
        registry.url,
        '--prefer-offline',
        // Anything but the stand-in would go through a proxy on 127.0.0.1 that is not there, and fail.
        '--proxy',
        'http://127.0.0.1:9',
        '--https-proxy',
        'http://127.0.0.1:9',
        '--noproxy',
        '127.0.0.1',
        '--ignore-scripts',
        '--no-audit',
        '--no-fund',
        '--no-update-notifier',
        ...packed.map((p) => p.file),
      ],
      { cwd: packs, env: cleanEnv(), reject: false, all: true, timeout: 600_000 },
    )
    if (installed.exitCode !== 0) throw new Error(`npm install failed:\n${installed.all}`)
    home = tempDir('guix-ops-home-')
  }, 600_000)
  afterAll(() => registry?.close())

  /** The installed binary, from a directory outside the checkout, with dirs of its own. */
  const guixOps = (args: string[], cwd = home) =>
    run(path.join(prefix, 'bin/guix-ops'), args, {
      cwd,
      env: {
        HOME: home,
        GUIX_OPS_STATE_DIR: path.join(home, 'state'),
        GUIX_OPS_DATA_DIR: path.join(home, 'data'),
        GUIX_OPS_CONFIG_DIR: path.join(home, 'config'),
        GUIX_OPS_CACHE_DIR: path.join(home, 'cache'),
      },
    })

  it('writes a new platform package with platform:new, and says how to link what it builds on', () => {
    const made = guixOps(['platform:new', 'x'])
    expect(made.code, made.stderr).toBe(0)
    const pkg = path.join(home, 'guix-ops-platform-x')
    expect(JSON.parse(readFileSync(path.join(pkg, 'package.json'), 'utf8'))['guix-ops']).toEqual({
      apiVersion: 1,
      platforms: { x: './dist/platform.js' },
    })
    expect(existsSync(path.join(pkg, 'src/platform.ts'))).toBe(true)
    const api = path.join(prefix, 'lib/node_modules/@guix-ops/plugin-api')
    expect(made.stdout).toContain(
      'next: @guix-ops/plugin-api and @guix-ops/platform-test-kit are not on a registry yet',
    )
    expect(made.stdout).toContain(`cd guix-ops-platform-x && npm link ${api} CHECKOUT/packages/platform-test-kit`)
    expect(made.stdout).not.toContain(ROOT)
  })

  it('serves image list from the installed qemu plugin', () => {
    const listed = guixOps(['image', 'list'])
    expect(listed.code, listed.stderr).toBe(0)
    expect(listed.stdout).toBe('no images in the cache')
    const plugins = JSON.parse(guixOps(['plugins', '--json']).stdout) as {
      name: string
      root: string
      provides: string[]
      source: string
    }[]
    const qemu = plugins.find((p) => p.name === '@guix-ops/plugin-qemu')
    expect(qemu).toMatchObject({ source: 'bundled', root: path.join(prefix, 'lib/node_modules/@guix-ops/plugin-qemu') })
    expect(qemu?.provides).toContain('command image list')
    expect(plugins.every((p) => !p.root.startsWith(ROOT))).toBe(true)
  })
})
