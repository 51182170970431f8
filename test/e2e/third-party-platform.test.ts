// What a third-party author does: scaffold a platform, fill it in, run its
// own tests, pack it, install the tarball into guix-ops, deploy a machine
// with it, uninstall it, and be told what is missing. The platform gives
// each machine a throwaway sshd on loopback; the marker system driver
// writes one file, so the host running the test is not changed.
import { spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FIXTURES, guixOps, json, oclifDirs, ROOT, tempDir } from '../support/cli.js'
import { sshdUnavailable } from '../support/sshd.js'

const unavailable = sshdUnavailable()
if (unavailable) console.warn(`skipping the third-party platform test: ${unavailable}`)

/** npm and vitest in the generated package, without this test run's vitest settings leaking in. */
function npm(args: string[], cwd: string, env: Record<string, string> = {}) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST')))
  const result = spawnSync('npm', args, {
    cwd,
    env: { ...clean, NO_COLOR: '1', FORCE_COLOR: '0', ...env },
    encoding: 'utf8',
    timeout: 180_000,
  })
  return { code: result.status, output: `${result.stdout}\n${result.stderr}` }
}

/** Every sshd the platform started under `dir`, stopped: the machine outlives the uninstalled plugin. */
function stopSshds(dir: string): void {
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.name !== 'sshd.pid') continue
    const pid = Number(readFileSync(path.join(entry.parentPath, entry.name), 'utf8'))
    try {
      process.kill(pid, 'SIGTERM')
    } catch {
      // already gone
    }
  }
}

describe.skipIf(unavailable !== undefined)('a third-party platform, from platform:new to uninstall', () => {
  let work: string
  let pkg: string
  let stateDir: string
  const cli = (args: string[], cwd = work) => guixOps(args, { stateDir, cwd })

  beforeAll(() => {
    work = tempDir('guix-ops-author-')
    stateDir = tempDir()
    pkg = path.join(work, 'acme')
  })
  afterAll(() => stopSshds(stateDir))

  it('scaffolds a package whose own option checks pass, and will not overwrite it', () => {
    const made = json<{ package: string; files: string[] }>(cli(['platform:new', 'acme', '--dir', pkg, '--json']))
    expect(made.package).toBe('guix-ops-platform-acme')
    expect(made.files).toEqual(
      expect.arrayContaining(['package.json', 'src/platform.ts', 'test/platform.test.ts', 'README.md']),
    )
    const manifest = JSON.parse(readFileSync(path.join(pkg, 'package.json'), 'utf8'))
    expect(manifest['guix-ops']).toEqual({ apiVersion: 1, platforms: { acme: './dist/platform.js' } })
    expect(manifest.peerDependencies).toEqual({ '@guix-ops/plugin-api': '^0.1.0' })
    expect(manifest.scripts['test:acc']).toBe('GUIX_OPS_ACC=1 vitest run')
    // The @guix-ops packages are not on a registry: the author's install is this repository's modules.
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(pkg, 'node_modules'))
    expect(npm(['test'], pkg).code).toBe(0)
    const again = cli(['platform:new', 'acme', '--dir', pkg])
    expect(again.stderr).toContain(`E_SCAFFOLD_TARGET: ${pkg} is not empty; nothing was written`)
  })

  it('passes its own tests, the whole conformance suite included, once filled in', () => {
    copyFileSync(path.join(FIXTURES, 'acme/platform.ts'), path.join(pkg, 'src/platform.ts'))
    copyFileSync(path.join(FIXTURES, 'acme/conformance.ts'), path.join(pkg, 'test/platform.test.ts'))
    const acceptance = npm(['run', 'test:acc'], pkg)
    expect(acceptance.code, acceptance.output).toBe(0)
    expect(acceptance.output).toMatch(/Tests\s+3 passed \(3\)/)
    expect(acceptance.output).not.toContain('lifecycle skipped')
  })

  it('packs, installs into guix-ops, deploys a machine, and after uninstall names the missing package', () => {
    // A tarball that installs without a registry carries its dependencies (zod) inside.
    const manifestFile = path.join(pkg, 'package.json')
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'))
    writeFileSync(manifestFile, JSON.stringify({ ...manifest, bundleDependencies: ['zod'] }, null, 2))
    const packed = npm(['pack'], pkg)
    expect(packed.code, packed.output).toBe(0)
    const tarball = 'guix-ops-platform-acme-0.1.0.tgz'
    expect(existsSync(path.join(pkg, tarball))).toBe(true)

    // Offline: npm must not reach for a registry; @guix-ops/plugin-api is an optional peer the host provides.
    const installed = guixOps(['plugins', 'install', `./${tarball}`], {
      stateDir,
      cwd: pkg,
      env: { npm_config_offline: 'true' },
    })
    expect(installed.code, installed.stdout + installed.stderr).toBe(0)
    // Not installed beside it: guix-ops hands the plugin its own copy of the API when it imports it.
    const dataDir = oclifDirs(stateDir).GUIX_OPS_DATA_DIR as string
    expect(existsSync(path.join(dataDir, 'node_modules/guix-ops-platform-acme/package.json'))).toBe(true)
    expect(existsSync(path.join(dataDir, 'node_modules/@guix-ops/plugin-api'))).toBe(false)
    const rows = json<{ name: string; package: string; source: string; capabilities: string[] | null }[]>(
      cli(['platforms', '--load', '--json']),
    )
    expect(rows.find((r) => r.name === 'acme')).toMatchObject({
      package: 'guix-ops-platform-acme',
      source: 'user',
      capabilities: ['start', 'stop', 'destroy'],
    })
    expect(cli(['platforms']).stdout).toMatch(/platform\s+acme\s+guix-ops-platform-acme\s+0\.1\.0\s+user\s+1/)

    const marker = path.join(work, 'deployed.txt')
    const config = path.join(work, 'guix-ops.config.json')
    writeFileSync(
      config,
      JSON.stringify({
        name: 'acme-demo',
        plugins: [path.join(FIXTURES, 'plugins/marker-system')],
        machines: { box: { platform: { type: 'acme' }, system: { type: 'marker', path: marker, content: 'hi\n' } } },
      }),
    )
    expect(cli(['create', config]).code).toBe(0)
    const deployed = cli(['deploy', '-d', 'acme-demo'])
    expect(deployed.code, deployed.stderr).toBe(0)
    expect(deployed.stdout).toContain('1 changed')
    expect(readFileSync(marker, 'utf8')).toBe('hi\n')

    // Powered off and on through the platform: `start` returns once sshd runs, then guix-ops waits for `up`.
    const stopped = cli(['stop', '-d', 'acme-demo'])
    expect(stopped.code, stopped.stderr).toBe(0)
    expect(stopped.stdout).toMatch(/box\s+stopped, stopped/)
    const started = cli(['start', '-d', 'acme-demo'])
    expect(started.code, started.stderr).toBe(0)
    expect(started.stdout).toMatch(/box\s+started, up/)

    expect(cli(['plugins', 'uninstall', 'guix-ops-platform-acme']).code).toBe(0)
    expect(cli(['platforms']).stdout).not.toMatch(/\bacme\b/)
    const after = cli(['deploy', '-d', 'acme-demo'])
    expect(after.code).not.toBe(0)
    expect(after.stderr).toContain(
      'platform "acme" is missing: this deployment was deployed with it from the package guix-ops-platform-acme, which is no longer installed',
    )
    expect(after.stderr).toContain('guix-ops plugins install guix-ops-platform-acme')
  }, 180_000) // packing, installing and a dozen CLI runs: past the default minute on a loaded machine
})
