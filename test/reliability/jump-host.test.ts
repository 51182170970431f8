// A machine reachable only through a jump host, and an impostor answering
// at the machine's address as seen from where guix-ops runs. The real
// machine is "127.0.0.1" as its jump host (an LXC container) sees it: the
// container itself. guix-ops runs inside a second container's network
// namespace, where 127.0.0.1 is that container's own sshd, with other host
// keys and the same authorized key: a direct connection reaches the impostor.
// Everything must go through the jump host to the real machine, and nothing
// reach the impostor.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, vi } from 'vitest'
import { BIN, json, oclifDirs, ROOT, type RunResult, tempDir } from '../support/cli.js'
import { destroyHosts, lxcUnavailable, startHost, type TestHost } from '../support/lxc.js'
import { swapHostKeys } from './support/faults.js'
import { faultSuite } from './support/tally.js'

vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 })

const unavailable = lxcUnavailable()
if (unavailable) console.warn(`skipping the jump-host reliability test: ${unavailable}`)

const SECRET = '/etc/reliability/secret'

describe.skipIf(unavailable !== undefined)('a machine behind a jump host, an impostor at its address', () => {
  const { fault } = faultSuite('jump-host')
  const work = mkdtempSync(path.join(tmpdir(), 'guix-ops-reliability-jump-'))
  const key = path.join(work, 'id_ed25519')
  const stateDir = tempDir()
  let jump: TestHost
  let impostor: TestHost

  /** The built CLI, run inside the impostor's network namespace. */
  function cli(args: string[]): RunResult {
    const pid = spawnSync('lxc-info', ['-n', impostor.name, '-pH'], { encoding: 'utf8' }).stdout.trim()
    const r = spawnSync('nsenter', ['-t', pid, '-n', process.execPath, BIN, ...args], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 180_000,
      env: { ...process.env, ...oclifDirs(stateDir), GUIX_OPS_STATE_DIR: stateDir, NO_COLOR: '1' },
    })
    return { code: r.status, stdout: r.stdout, stderr: r.stderr }
  }

  beforeAll(async () => {
    spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key])
    const pub = readFileSync(`${key}.pub`, 'utf8').trim()
    const repo = path.join(work, 'repo')
    spawnSync('mkdir', [repo])
    ;[jump, impostor] = await Promise.all([
      startHost('guix-ops-rel-jump', pub, repo),
      startHost('guix-ops-rel-impostor', pub, repo),
    ])
    swapHostKeys(impostor)
  })

  afterAll(() => destroyHosts([jump, impostor]))

  fault('an impostor answers at the address of a machine behind a jump host', async () => {
    const config = path.join(work, 'guix-ops.config.mjs')
    writeFileSync(
      config,
      `export default {
  name: 'rel-jump',
  machines: {
    inner: {
      platform: { type: 'managed', host: '127.0.0.1', jump: ${JSON.stringify(`root@${jump.address}`)}, identity: ${JSON.stringify(key)} },
      system: { type: 'debian', confirmTimeout: 10, files: { ${JSON.stringify(SECRET)}: { content: 'secret\\n', mode: '0600' } } },
    },
  },
}
`,
    )
    expect(cli(['create', config]).code).toBe(0)
    const deployed = cli(['deploy', '-d', 'rel-jump'])
    expect(deployed.code, deployed.stdout + deployed.stderr).toBe(0)
    expect(impostor.exec(['test', '-e', SECRET]).code, 'the secret was written to the impostor').not.toBe(0)
    expect(jump.exec(['cat', SECRET]).stdout).toBe('secret\n')
    // The key pinned for the machine is the real machine's, and every later command goes there too.
    const info = json<{ state: { machines: Record<string, { hostKey?: string }> } }>(
      cli(['info', '-d', 'rel-jump', '--json']),
    )
    const [type, base64] = (info.state.machines.inner?.hostKey ?? '').split(/\s+/)
    expect(jump.exec(['sh', '-c', 'cat /etc/ssh/ssh_host_*_key.pub']).stdout).toContain(`${type} ${base64}`)
    const ssh = cli(['ssh', '-d', 'rel-jump', 'inner', '--', 'cat', SECRET])
    expect(ssh.stdout, ssh.stderr).toBe('secret\n')
    const check = json<{ healthy: boolean }>(cli(['check', '-d', 'rel-jump', '--json']))
    expect(check.healthy).toBe(true)
  })
})
