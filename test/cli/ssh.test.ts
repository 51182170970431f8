// `ssh`, `ssh-for-each`, `scp` and `list-generations` through the built CLI,
// on machines deployed to real sshd processes on 127.0.0.1.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BIN, FIXTURES, guixOps, json, ROOT, tempDir } from '../support/cli.js'
import { sshdUnavailable, startSshd, type TestSshd } from '../support/sshd.js'

const unavailable = sshdUnavailable()
if (unavailable) console.warn(`skipping the ssh/scp CLI tests against real sshd: ${unavailable}`)

describe.skipIf(unavailable !== undefined)('ssh, ssh-for-each, scp, list-generations', () => {
  let a: TestSshd
  let b: TestSshd
  let out: string
  let stateDir: string

  beforeAll(async () => {
    a = await startSshd()
    b = await startSshd()
    out = mkdtempSync(path.join(tmpdir(), 'guix-ops-ssh-cli-'))
    stateDir = tempDir()
    const host = (s: TestSshd) =>
      `{ type: 'managed', host: '127.0.0.1', port: ${s.port}, user: '${s.user}', identity: '${s.identity}' }`
    const config = path.join(out, 'guix-ops.config.ts')
    writeFileSync(
      config,
      `export default {
  name: 'duo',
  plugins: ['${path.join(FIXTURES, 'plugins/marker-system')}'],
  machines: {
    one: { platform: ${host(a)}, system: { type: 'marker', path: '${out}/one', content: 'one' } },
    two: { platform: ${host(b)}, system: { type: 'marker', path: '${out}/two', content: 'two' } },
  },
}
`,
    )
    expect(guixOps(['create', config], { stateDir }).code).toBe(0)
    const deployed = guixOps(['deploy', '-d', 'duo'], { stateDir })
    expect(deployed.code, deployed.stderr).toBe(0)
  })
  afterAll(async () => {
    await a?.stop()
    await b?.stop()
  })

  it('runs one command with its words quoted, passing output and exit status through', () => {
    const result = guixOps(
      ['ssh', '-d', 'duo', 'one', '--', 'sh', '-c', 'echo "$1"; echo oops >&2; exit 7', 'sh', "it's fine"],
      {
        stateDir,
      },
    )
    expect(result.code).toBe(7)
    expect(result.stdout).toBe("it's fine\n")
    expect(result.stderr).toBe('oops\n')
    const asJson = json<{ code: number; stdout: string }>(
      guixOps(['ssh', '-d', 'duo', 'two', '--json', '--', 'echo', 'hi'], { stateDir }),
    )
    expect(asJson).toMatchObject({ machine: 'two', code: 0, stdout: 'hi\n' })
    // Words after -- stay in order and are never taken for guix-ops flags.
    const words = ['printf', '<%s>', 'sh', '-c', 'x', 'sh', '-d', '--json']
    const kept = json<{ stdout: string }>(guixOps(['ssh', '-d', 'duo', 'one', '--json', '--', ...words], { stateDir }))
    expect(kept.stdout).toBe('<sh><-c><x><sh><-d><--json>')
  })

  it('logs in with OpenSSH, trusting only the pinned host key', async () => {
    const run = () =>
      spawnSync(process.execPath, [BIN, 'ssh', '-d', 'duo', 'one'], {
        cwd: ROOT,
        input: 'echo logged-in-as-$(id -un); exit 3\n',
        encoding: 'utf8',
        env: { ...process.env, GUIX_OPS_STATE_DIR: stateDir },
      })
    const result = run()
    expect(result.stdout).toContain(`logged-in-as-${a.user}`)
    expect(result.status).toBe(3)
    await a.rotateHostKey()
    const refused = run()
    expect(refused.status).not.toBe(0)
    expect(refused.stdout).not.toContain('logged-in-as-')
    expect(refused.stderr).toMatch(/HOST IDENTIFICATION HAS CHANGED|Host key verification failed/)
    expect(refused.stderr).toContain('E_SSH_HOST_KEY_CHANGED')
    expect(refused.stderr).toContain('accept it with "guix-ops ssh-keys reset -d duo one"')
    expect(guixOps(['ssh-keys', 'reset', '-d', 'duo', 'one'], { stateDir }).code).toBe(0)
    expect(guixOps(['deploy', '-d', 'duo', '--include', 'one'], { stateDir }).code).toBe(0)
    expect(run().stdout).toContain('logged-in-as-')
  })

  it('ssh-for-each prefixes each line with its machine and sums up exit codes', () => {
    const result = guixOps(
      ['ssh-for-each', '-d', 'duo', '-p', '--', 'sh', '-c', 'echo "from $0"; test "$0" != sh || exit 0'],
      {
        stateDir,
      },
    )
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('one| from sh')
    expect(result.stdout).toContain('two| from sh')
    expect(result.stdout).toMatch(/MACHINE\s+EXIT\none\s+0\ntwo\s+0/)
    const failing = json<{ machine: string; code: number }[]>(
      guixOps(['ssh-for-each', '-d', 'duo', '--json', '--', 'test', '-e', `${out}/one`], { stateDir }),
    )
    expect(failing.map((r) => [r.machine, r.code])).toEqual([
      ['one', 0],
      ['two', 0],
    ])
    expect(guixOps(['ssh-for-each', '-d', 'duo', '--', 'false'], { stateDir }).code).toBe(1)
  })

  it('ssh-for-each prints every line once, a last one without a newline too', () => {
    const command = ['sh', '-c', 'echo first; echo second; printf warning >&2']
    const result = guixOps(['ssh-for-each', '-d', 'duo', '--include', 'one', '--', ...command], { stateDir })
    expect(result.code).toBe(0)
    const ofOne = (text: string) => text.split('\n').filter((line) => line.startsWith('one|'))
    expect(ofOne(result.stdout)).toEqual(['one| first', 'one| second'])
    expect(ofOne(result.stderr)).toEqual(['one| warning'])
  })

  it('scp copies both ways, writing the remote file with the mode asked and the local one 0600', () => {
    const local = path.join(tempDir(), 'payload')
    writeFileSync(local, 'payload\n')
    const remote = path.join(out, 'copied')
    expect(guixOps(['scp', '-d', 'duo', '--to', 'two', local, remote, '--mode', '0640'], { stateDir }).code).toBe(0)
    expect(readFileSync(remote, 'utf8')).toBe('payload\n')
    expect(statSync(remote).mode & 0o777).toBe(0o640)
    const back = path.join(tempDir(), 'back')
    const result = json<{ bytes: number }>(
      guixOps(['scp', '-d', 'duo', '--from', 'two', remote, back, '--json'], { stateDir }),
    )
    expect(result.bytes).toBe(8)
    expect(statSync(back).mode & 0o777).toBe(0o600)
  })

  it('list-generations shows what each deploy recorded', () => {
    const rows = json<{ machine: string; number: number; current: boolean }[]>(
      guixOps(['list-generations', '-d', 'duo', 'two', '--json'], { stateDir }),
    )
    expect(rows).toEqual([expect.objectContaining({ machine: 'two', number: 1, current: true })])
    expect(guixOps(['list-generations', '-d', 'duo'], { stateDir }).stdout).toMatch(/one\s+1 \(current\)/)
  })

  it('check reports status, host key, uptime and load, and drift made by hand', () => {
    const healthy = json<{
      healthy: boolean
      machines: {
        machine: string
        status: string
        hostKey: string
        uptimeSeconds: number
        load: number[]
        drift: unknown[]
      }[]
    }>(guixOps(['check', '-d', 'duo', '--include', 'two', '--json'], { stateDir }))
    expect(healthy.healthy).toBe(true)
    expect(healthy.machines[0]).toMatchObject({ machine: 'two', status: 'up', hostKey: 'verified', drift: [] })
    expect(healthy.machines[0]!.uptimeSeconds).toBeGreaterThan(0)
    expect(healthy.machines[0]!.load).toHaveLength(3)
    writeFileSync(path.join(out, 'two'), 'changed by hand')
    const drifted = guixOps(['check', '-d', 'duo', '--include', 'two'], { stateDir })
    expect(drifted.code).toBe(1)
    expect(drifted.stdout).toMatch(/two\s+up\s+verified\s+\S+.*1 item\(s\)/)
    expect(drifted.stdout).toContain(`two: file ${path.join(out, 'two')}: expected "two", found "changed by hand"`)
    expect(guixOps(['deploy', '-d', 'duo', '--include', 'two'], { stateDir }).code).toBe(0)
    expect(guixOps(['check', '-d', 'duo', '--include', 'two'], { stateDir }).code).toBe(0)
  })

  it('refuses a machine that does not exist or was never deployed', () => {
    const missing = json<{ error: { code: string } }>(
      guixOps(['ssh', '-d', 'duo', 'three', '--json', '--', 'true'], { stateDir }),
    )
    expect(missing.error.code).toBe('E_USAGE')
  })
})
