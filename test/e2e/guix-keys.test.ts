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
import { installGuixStandIn, STANDIN } from '../support/guix-standin.js'
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
})
