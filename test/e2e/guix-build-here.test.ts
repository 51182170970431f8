// The guix driver's two build paths through the built CLI, on two LXC
// containers this test creates, carrying the target stand-in
// (test/support/guix-standin.ts) with `guix archive` added, while this
// machine's `guix` is the local stand-in (test/support/guix-local-standin.ts),
// on the PATH of the guix-ops process only. As with `guix deploy`, web is
// built here, this machine's key authorized on it, the closure copied and
// the host switched to exactly that store item; db, with buildLocally
// false, is reconfigured on the host. No real Guix runs here.
import { spawnSync } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { FIXTURES, guixOps, json, tempDir } from '../support/cli.js'
import { addArchiveToTarget, installLocalGuix, type LocalGuix } from '../support/guix-local-standin.js'
import { clearStandInLog, installGuixStandIn, shepherdLog, standInLog } from '../support/guix-standin.js'
import { destroyHosts, lxcUnavailable, startHost, type TestHost } from '../support/lxc.js'

vi.setConfig({ testTimeout: 300_000 })

const unavailable = lxcUnavailable()
if (unavailable) console.warn(`skipping the guix build-path tests on LXC containers: ${unavailable}`)

interface Outcome {
  machine: string
  status: string
  changes?: { action: string; subject: string; detail?: string }[]
  error?: { code: string; message: string }
}
interface Summary {
  changed: string[]
  unchanged: string[]
  outcomes: Outcome[]
}

describe.skipIf(unavailable !== undefined)('guix driver: built here like guix deploy, or on the host', () => {
  const hosts: Record<'db' | 'web', TestHost> = {} as never
  let work: string
  let key: string
  let stateDir: string
  let config: string
  let local: LocalGuix
  /** The local stand-in first on PATH, its signing key where Guix looks for it. */
  let env: Record<string, string>

  const run = (args: string[], extra: Record<string, string> = {}) =>
    guixOps(args, { stateDir, env: { ...env, ...extra } })
  const deploy = (...extra: string[]) => json<Summary>(run(['deploy', '-d', 'paths', '--json', ...extra]))
  const outcome = (summary: Summary, machine: string) => summary.outcomes.find((o) => o.machine === machine)!
  const running = (host: TestHost) => host.exec(['readlink', '-f', '/run/current-system']).stdout.trim()
  const profileStore = (host: TestHost, n: number) =>
    host.exec(['readlink', '-f', `/var/guix/profiles/system-${n}-link`]).stdout.trim()
  const touch = (note: string) => writeFileSync(path.join(work, 'nginx.conf'), `events {}\n# ${note}\n`)

  function writeConfig(webOptions = '', dbOptions = ", buildLocally: false, system: 'x86_64-linux'"): void {
    const platform = (name: keyof typeof hosts) =>
      `{ type: 'managed', host: '${hosts[name].address}', identity: '${key}' }`
    writeFileSync(
      config,
      `export default {
  name: 'paths',
  machines: {
    db: { platform: ${platform('db')}, system: { type: 'guix', config: './db.scm'${dbOptions} } },
    web: ({ db }) => ({
      platform: ${platform('web')},
      system: { type: 'guix', config: './web.scm', parameters: { 'db-address': db.address }${webOptions} },
    }),
  },
}
`,
    )
  }

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'guix-ops-guix-paths-'))
    key = path.join(work, 'id_ed25519')
    spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key])
    const repo = path.join(work, 'repo')
    spawnSync('mkdir', [repo])
    const pub = readFileSync(`${key}.pub`, 'utf8').trim()
    for (const name of ['db', 'web'] as const) {
      hosts[name] = await startHost(`guix-ops-guix-paths-${name}`, pub, repo)
      installGuixStandIn(hosts[name])
      addArchiveToTarget(hosts[name])
    }
    local = installLocalGuix()
    env = {
      PATH: `${local.bin}:${path.dirname(process.execPath)}:/usr/bin:/bin`,
      GUIX_CONFIGURATION_DIRECTORY: local.configDir,
    }
    cpSync(path.join(FIXTURES, 'guix/good'), work, { recursive: true })
    writeFileSync(path.join(work, 'db.scm'), '(use-modules (gnu))\n(operating-system (host-name "db"))\n')
    stateDir = tempDir()
    config = path.join(work, 'guix-ops.config.ts')
    writeConfig()
    expect(run(['create', config]).code).toBe(0)
  }, 600_000)

  afterAll(() => destroyHosts(Object.values(hosts)))

  it('deploy --dry-run says which path each machine takes, and why', () => {
    const plan = deploy('--dry-run')
    expect(outcome(plan, 'web').changes?.[0]?.detail).toBe(
      `managed / guix: built here with guix system build, copied to the host, switched to (buildLocally is unset and this machine has ${local.bin}/guix)`,
    )
    expect(outcome(plan, 'db').changes?.[0]?.detail).toBe(
      'managed / guix: built on the host with guix system reconfigure (buildLocally is false)',
    )
    expect(local.log()).toEqual([])
  })

  it('builds here, authorizes this key, copies the closure and switches the host to exactly that store item', () => {
    const { db, web } = hosts
    const summary = deploy()
    expect(summary.changed, JSON.stringify(summary.outcomes)).toEqual(['db', 'web'])
    expect(outcome(summary, 'web').changes?.[0]?.detail).toMatch(/; built here with guix system build, copied/)

    const built = local.built()
    expect(built).toHaveLength(1)
    const storePath = built[0]!
    expect(local.log()).toEqual([
      expect.stringMatching(/^guix system build -L \S+\/build\/modules \S+\/build\/config\/web\.scm$/),
      `guix archive --export -r ${storePath}`,
    ])
    const webLog = standInLog(web)
    // The switch runs with GUIX_NEW_SYSTEM set, which the stand-in's log line shows first.
    const [authorize, imported, switched] = [
      'guix archive --authorize',
      'guix archive --import',
      'guix system switch-generation 2',
    ].map((line) => webLog.findIndex((l) => l.endsWith(line)))
    expect(authorize, webLog.join('\n')).toBeGreaterThanOrEqual(0)
    expect(imported).toBeGreaterThan(authorize!)
    expect(switched).toBeGreaterThan(imported!)
    // Then, as guix deploy does after switch-to-system, the Shepherd loads the new system's services.
    const upgraded = webLog.findIndex((l) => /^guix repl -L \S+ -- \S+\/upgrade-services\.scm \S+\/web\.scm$/.test(l))
    expect(upgraded, webLog.join('\n')).toBeGreaterThan(switched!)
    expect(shepherdLog(web)).toEqual(expect.arrayContaining(['start hello', 'start nginx']))
    expect(web.exec(['herd', 'status']).stdout).toMatch(/^ \+ nginx$/m)
    expect(webLog.some((l) => l.includes('reconfigure'))).toBe(false)
    // The running system is the very item built here: the config in it is this machine's web.scm.
    expect(running(web)).toBe(storePath)
    expect(profileStore(web, 2)).toBe(storePath)
    expect(web.exec(['cat', '/run/current-system/config.scm']).stdout).toBe(
      readFileSync(path.join(work, 'web.scm'), 'utf8'),
    )
    // This machine's public key is in the host's ACL.
    const signer = spawnSync('sha256sum', [path.join(local.configDir, 'signing-key.pub')], { encoding: 'utf8' })
    expect(web.exec(['cat', '/etc/guix/acl']).stdout).toBe(`(entry ${signer.stdout.split(' ')[0]})\n`)

    // db asked its own Guix, as before.
    const dbLog = standInLog(db)
    expect(dbLog.some((l) => /^guix system reconfigure /.test(l))).toBe(true)
    expect(dbLog.some((l) => l.startsWith('guix archive'))).toBe(false)
    expect(json<{ healthy: boolean }>(run(['check', '-d', 'paths', '--json'])).healthy).toBe(true)
  })

  it('a redeploy with nothing changed builds nothing and copies nothing', () => {
    const before = local.log().length
    clearStandInLog(hosts.web)
    expect(deploy('--include', 'web').unchanged).toEqual(['web'])
    expect(local.log()).toHaveLength(before)
    expect(standInLog(hosts.web)).toEqual(['guix describe'])
  })

  it('a change is built and switched to as the next generation', () => {
    const { web } = hosts
    touch('second')
    const summary = deploy('--include', 'web')
    expect(summary.changed).toEqual(['web'])
    const storePath = local.built().find((p) => p !== profileStore(web, 2))
    expect(storePath).toBeDefined()
    expect(running(web)).toBe(storePath)
    expect(profileStore(web, 3)).toBe(storePath)
  })

  it('a service dropped from the config is unloaded from the Shepherd after the switch, as guix deploy does', () => {
    const { web } = hosts
    const file = path.join(work, 'web.scm')
    const before = readFileSync(file, 'utf8')
    writeFileSync(file, before.replace("(provision '(hello))", "(provision '(hello-again))"))
    clearStandInLog(web)
    try {
      expect(deploy('--include', 'web').changed).toEqual(['web'])
    } finally {
      writeFileSync(file, before)
    }
    const log = standInLog(web)
    const switched = log.findIndex((l) => l.includes('guix system switch-generation'))
    expect(switched, log.join('\n')).toBeGreaterThanOrEqual(0)
    expect(log.findIndex((l) => l.includes('upgrade-services.scm'))).toBeGreaterThan(switched)
    expect(shepherdLog(web)).toEqual(['unload hello', 'start hello-again'])
    const status = web.exec(['herd', 'status']).stdout
    expect(status).toMatch(/^ \+ hello-again$/m)
    expect(status).not.toMatch(/^ \+ hello$/m)
  })

  it('authorize: false sends no key, and a host that does not trust this machine refuses the closure', () => {
    const { db } = hosts
    writeConfig('', ', buildLocally: true, authorize: false')
    const before = running(db)
    clearStandInLog(db)
    const error = outcome(deploy('--include', 'db'), 'db').error
    writeConfig()
    expect(error?.code).toBe('E_GUIX_BUILD')
    expect(error?.message).toContain(
      'importing the closure on the host failed: guix archive: error: unauthorized public key',
    )
    const log = standInLog(db)
    expect(log).toContain('guix archive --import')
    expect(log).not.toContain('guix archive --authorize')
    expect(log.some((l) => l.includes('switch-generation'))).toBe(false)
    expect(running(db)).toBe(before)
  })

  it('without a signing key here, authorize is refused before anything remote', () => {
    touch('no key')
    clearStandInLog(hosts.web)
    const summary = json<Summary>(
      run(['deploy', '-d', 'paths', '--include', 'web', '--json'], { GUIX_CONFIGURATION_DIRECTORY: tempDir() }),
    )
    const error = outcome(summary, 'web').error
    expect(error?.code).toBe('E_GUIX_SIGNING_KEY')
    expect(error?.message).toMatch(
      /^guix: no signing key \S+\/signing-key\.pub on this machine, which authorize needs$/,
    )
    expect(standInLog(hosts.web)).toEqual([])
  })

  it('a failed build here fails the deploy with its output; the host runs what it ran', () => {
    const { web } = hosts
    const before = running(web)
    local.failBuild('guix system: error: package nginx-nonexistent not found\n')
    touch('fails to build')
    clearStandInLog(web)
    const error = outcome(deploy('--include', 'web'), 'web').error
    local.failBuild(undefined)
    expect(error?.code).toBe('E_GUIX_BUILD')
    expect(error?.message).toContain(
      'guix: guix system build failed here: guix system: error: package nginx-nonexistent',
    )
    expect(standInLog(web).some((l) => l.includes('--import') || l.includes('switch-generation'))).toBe(false)
    expect(running(web)).toBe(before)
  })
})
