// Deployment keys with the guix system driver: an LXC container carrying the
// recording Guix stand-in (test/support/guix-standin.ts), deployed as a
// `managed` host. Keys reach the host over SSH outside the config: the
// driver never sees them, so neither the uploaded config, nor the generated
// (guix-ops parameters) module, nor the stand-in's store holds a value.
import { spawnSync } from 'node:child_process'
import { cpSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { FIXTURES, guixOps, json, type RunResult, tempDir } from '../support/cli.js'
import { bootShepherd, installGuixStandIn, STANDIN, standInLog, steer } from '../support/guix-standin.js'
import { lxcUnavailable, startHost, type TestHost } from '../support/lxc.js'

vi.setConfig({ testTimeout: 300_000 })
const unavailable = lxcUnavailable()
if (unavailable) console.warn(`skipping the guix key tests on an LXC container: ${unavailable}`)

const CANARY = 'k3y-canary'
const SECRET = {
  text: `${CANARY}-guix-text-0d3a`,
  file: `${CANARY}-guix-file-e41c`,
  command: `${CANARY}-guix-cmd-8b27`,
}

describe.skipIf(unavailable !== undefined)('deployment keys with the guix driver (stand-in guix on LXC)', () => {
  let host: TestHost
  let work: string
  const stateDir = tempDir()
  const outputs: RunResult[] = []
  const env = { PATH: `${path.dirname(process.execPath)}:/usr/bin:/bin`, WEB_TOKEN: SECRET.text }
  const cli = (args: string[]) => {
    const result = guixOps(args, { stateDir, env })
    outputs.push(result)
    return result
  }

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'guix-ops-guix-keys-'))
    const key = path.join(work, 'id_ed25519')
    spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key])
    const repo = path.join(work, 'repo')
    spawnSync('mkdir', [repo])
    host = await startHost('guix-ops-guix-keys', readFileSync(`${key}.pub`, 'utf8').trim(), repo)
    installGuixStandIn(host)
    cpSync(path.join(FIXTURES, 'guix/good'), work, { recursive: true })
    writeFileSync(path.join(work, 'cert.key'), SECRET.file)
    writeFileSync(path.join(work, 'secret-command-output'), SECRET.command)
    writeFileSync(
      path.join(work, 'guix-ops.config.ts'),
      `export default {
  name: 'gkeys',
  machines: {
    web: {
      platform: { type: 'managed', host: '${host.address}', identity: '${key}' },
      system: { type: 'guix', config: './web.scm', parameters: { 'db-address': '10.0.0.1', 'db-port': 5432 } },
      keys: {
        token: { text: process.env.WEB_TOKEN },
        cert: { file: './cert.key', permissions: '0400' },
        api: { command: ['cat', 'secret-command-output'], destDir: '/run/keys/api' },
      },
    },
  },
}
`,
    )
  }, 600_000)

  afterAll(() => host?.destroy())

  it('sends text, file and command keys outside the config; no value in the store, the records or any output', () => {
    expect(cli(['create', path.join(work, 'guix-ops.config.ts')]).code).toBe(0)
    const deploy = cli(['deploy', '-d', 'gkeys'])
    expect(deploy.code, deploy.stdout + deploy.stderr).toBe(0)
    expect(host.exec(['cat', '/run/keys/token']).stdout).toBe(SECRET.text)
    expect(host.exec(['cat', '/run/keys/cert']).stdout).toBe(SECRET.file)
    expect(host.exec(['cat', '/run/keys/api/api']).stdout).toBe(SECRET.command)
    expect(host.exec(['stat', '-c', '%U:%G %a', '/run/keys/cert']).stdout.trim()).toBe('root:root 400')
    // The system was reconfigured as usual; the keys took no part in it.
    expect(host.exec(['grep', '-c', 'system reconfigure', `${STANDIN}/log`]).stdout.trim()).toBe('1')

    expect(json<{ healthy: boolean }>(cli(['check', '-d', 'gkeys', '--json'])).healthy).toBe(true)
    expect(json<{ unchanged: string[] }>(cli(['deploy', '-d', 'gkeys', '--json'])).unchanged).toEqual(['web'])
    expect(cli(['upload-keys', '-d', 'gkeys', '--json']).code).toBe(0)
    for (const format of ['json', 'sexp']) expect(cli(['export', '-d', 'gkeys', '--format', format]).code).toBe(0)
    cli(['list-generations', '-d', 'gkeys', '--json'])

    const hits: string[] = []
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const full = path.join(dir, name)
        if (statSync(full).isDirectory()) walk(full)
        else if (readFileSync(full, 'latin1').includes(CANARY)) hits.push(full)
      }
    }
    walk(stateDir)
    outputs.forEach((r, i) => {
      if (r.stdout.includes(CANARY) || r.stderr.includes(CANARY)) hits.push(`output of command ${i}`)
    })
    // The store, the driver's uploaded config and parameters, and the stand-in's own records on the host.
    const found = host.exec(['grep', '-rl', '--', CANARY, '/gnu/store', '/var/lib/guix-ops', STANDIN, '/var/guix'])
    expect(found.code, found.stderr).toBe(1)
    // The same search does find the keys where they belong.
    expect(host.exec(['grep', '-rl', '--', CANARY, '/run/keys']).stdout.split('\n').filter(Boolean)).toHaveLength(3)
    expect(hits).toEqual([])
  })

  it('a Shepherd service that requires a key waits after a reboot until upload-keys sends it, then starts', () => {
    // The module (guix-ops keys) went up with the config, on the load path reconfigure was given.
    const modules = host.exec(['sh', '-c', 'ls -d /var/lib/guix-ops/guix/*/web/modules']).stdout.trim()
    expect(host.exec(['test', '-f', `${modules}/guix-ops/keys.scm`]).code).toBe(0)
    expect(standInLog(host).find((line) => line.includes('system reconfigure'))).toContain(`-L ${modules}`)

    // What a config with (service guix-ops-key-service-type '("token")) and a service requiring it gives.
    steer(host, 'shepherd-services', 'guix-ops-key-token file=/run/keys/token\nshop guix-ops-key-token\nunrelated\n')
    const status = (service: string) => host.exec(['herd', 'status', service]).stdout
    // A reboot: /run is a tmpfs, and the Shepherd starts every service in turn.
    host.exec(['rm', '-rf', '/run/keys'])
    bootShepherd(host)
    expect(status('guix-ops-key-token')).toContain('It is stopped.')
    expect(status('shop')).toContain('It is stopped.')
    expect(status('unrelated')).toContain('It is started.')
    const check = json<{ machines: { keys?: { missing: string[] } }[] }>(cli(['check', '-d', 'gkeys', '--json']))
    expect(check.machines[0]?.keys?.missing.sort()).toEqual(['api', 'cert', 'token'])

    const upload = cli(['upload-keys', '-d', 'gkeys'])
    expect(upload.code, upload.stdout + upload.stderr).toBe(0)
    expect(status('guix-ops-key-token')).toContain('It is started.')
    expect(status('shop')).toContain('It is started.')
    // Keys whose config has no Shepherd service are only written.
    expect(standInLog(host).filter((line) => line.startsWith('herd refresh'))).toEqual([
      'herd refresh guix-ops-key-token',
    ])

    // A new value: the key service restarts, and so does the service running on it.
    const rotated = guixOps(['upload-keys', '-d', 'gkeys', '--json'], {
      stateDir,
      env: { ...env, WEB_TOKEN: `${CANARY}-guix-rotated-55aa` },
    })
    outputs.push(rotated)
    expect(json<{ sent?: string[] }[]>(rotated)[0]?.sent).toEqual(['token'])
    expect(standInLog(host).filter((line) => line.startsWith('herd refresh'))).toHaveLength(2)
    expect(status('shop')).toContain('It is started.')
    expect(outputs.filter((r) => r.stdout.includes(CANARY) || r.stderr.includes(CANARY))).toEqual([])
  })
})
