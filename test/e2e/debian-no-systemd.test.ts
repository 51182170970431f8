// The debian driver on a host whose PID 1 is not systemd (like a container
// without systemd, or WSL): a real sshd on 127.0.0.1 in a mount namespace of
// its own, with a private tmpfs on /var/lib (where the driver keeps its
// records) and on /run/systemd, so that nothing is recorded on this machine.
// The host shares this machine's filesystem otherwise: every file deployed
// lies under the test's temp dir, and no package or user is deployed.
import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest'
import { guixOps, json, tempDir } from '../support/cli.js'
import { sshdUnavailable, startSshd, type TestSshd } from '../support/sshd.js'

// Each command is a few SSH round trips, but a busy machine makes them slow.
vi.setConfig({ testTimeout: 900_000 })
const cli = (args: string[], stateDir: string) => guixOps(args, { stateDir, timeoutMs: 400_000 })

const unavailable = sshdUnavailable()
if (unavailable) console.warn(`skipping the debian tests on a host without systemd: ${unavailable}`)

interface Summary {
  changed: string[]
  unchanged: string[]
  outcomes: { machine: string; status: string; error?: { code: string; message: string; suggestion?: string } }[]
}

describe.skipIf(unavailable !== undefined)('debian driver on a host whose PID 1 is not systemd', () => {
  const work = mkdtempSync(path.join(tmpdir(), 'guix-ops-nosystemd-'))
  const running: TestSshd[] = []
  afterEach(async () => {
    for (const sshd of running.splice(0)) await sshd.stop()
  })
  afterAll(() => rmSync(work, { recursive: true, force: true }))

  /** A fresh host (its own /var/lib), a dir of the test for its files, and a deployment that can be reconfigured. */
  async function host(name: string, disks: Record<string, string> = {}) {
    const root = path.join(work, name)
    for (const dir of ['etc', 'config', ...Object.keys(disks)]) mkdirSync(path.join(root, dir), { recursive: true })
    const tmpfs: Record<string, string> = { '/var/lib': '16m' }
    if (existsSync('/run/systemd')) tmpfs['/run/systemd'] = '1m'
    for (const [dir, size] of Object.entries(disks)) tmpfs[path.join(root, dir)] = size
    const sshd = await startSshd({ tmpfs })
    running.push(sshd)
    const stateDir = tempDir()
    const config = path.join(root, 'config', 'guix-ops.config.ts')
    let created = false
    const deploy = (system: object, args: string[] = []) => {
      const platform = { type: 'managed', host: '127.0.0.1', port: sshd.port, user: sshd.user, identity: sshd.identity }
      const machines = { box: { platform, system: { type: 'debian', ...system } } }
      writeFileSync(config, `export default ${JSON.stringify({ name, machines }, null, 2)}\n`)
      if (!created) expect(cli(['create', config], stateDir).code).toBe(0)
      created = true
      const result = cli(['deploy', '-d', name, '--json', ...args], stateDir)
      return { code: result.code, summary: json<Summary>(result), error: json<Summary>(result).outcomes[0]?.error }
    }
    /** Runs a command in the host's own mounts (its private /var/lib). */
    const inHost = (argv: string[]) =>
      spawnSync('nsenter', ['-t', String(sshd.pid()), '-m', '--', ...argv], { encoding: 'utf8' })
    return { root, etc: path.join(root, 'etc'), config: path.join(root, 'config'), stateDir, deploy, inHost }
  }

  it('refuses before changing anything, naming autoRollback: false; services are refused even with it', async () => {
    const box = await host('plain')
    const motd = path.join(box.etc, 'motd')
    const refused = box.deploy({ files: { [motd]: 'hello\n' } })
    expect(refused.code).toBe(1)
    expect(refused.error?.code).toBe('E_DEBIAN_NO_SYSTEMD')
    expect(refused.error?.message).toContain('machine "box"')
    expect(refused.error?.message).toContain('PID 1 is not systemd')
    expect(refused.error?.suggestion).toContain('autoRollback: false')
    expect(existsSync(motd)).toBe(false)
    expect(box.inHost(['ls', '-A', '/var/lib']).stdout).toBe('')

    const services = box.deploy({ autoRollback: false, files: { [motd]: 'hello\n' }, services: { cron: {} } })
    expect(services.code).toBe(1)
    expect(services.error?.code).toBe('E_DEBIAN_NO_SYSTEMD')
    expect(services.error?.message).toMatch(/services need systemd.*: cron/)
    expect(existsSync(motd)).toBe(false)
    expect(box.inHost(['ls', '-A', '/var/lib']).stdout).toBe('')

    const deployed = box.deploy({ autoRollback: false, files: { [motd]: 'hello\n' } })
    expect(deployed.code, JSON.stringify(deployed.summary)).toBe(0)
    expect(readFileSync(motd, 'utf8')).toBe('hello\n')
    // The machine's own record directory on the host: /var/lib/guix-ops/<deployment id>/<machine>.
    expect(box.inHost(['sh', '-c', 'cat /var/lib/guix-ops/*/box/current']).stdout).toBe('1\n')
  })

  it('with autoRollback: false, deploys files as bytes under any name, converges, sees drift, restores an original', async () => {
    const box = await host('bytes')
    const sources: Record<string, Buffer> = {
      'site.gz': gzipSync('hello\n'.repeat(100)),
      'random.bin': randomBytes(8192),
      'latin1.txt': Buffer.from('café, 100 °C\n', 'latin1'),
    }
    const files: Record<string, unknown> = {}
    for (const [name, bytes] of Object.entries(sources)) {
      writeFileSync(path.join(box.config, name), bytes)
      files[path.join(box.etc, name)] = { source: `./${name}`, mode: '0600' }
    }
    const unit = path.join(box.etc, 'systemd/system/srv-my\\x2ddata.mount')
    const odd = path.join(box.etc, 'tab\there, new\nline, back\\slash')
    writeFileSync(odd, 'the original\n')
    const spelled = `${box.etc}//conf/./app.conf`
    const system = (withOdd: boolean) => ({
      autoRollback: false,
      files: {
        ...files,
        [unit]: '[Mount]\nWhat=/dev/sdb1\nWhere=/srv/my-data\n',
        [spelled]: 'a=1\n',
        ...(withOdd ? { [odd]: 'managed\n' } : {}),
      },
    })

    const first = box.deploy(system(true))
    expect(first.code, JSON.stringify(first.summary)).toBe(0)
    for (const [name, bytes] of Object.entries(sources)) expect(readFileSync(path.join(box.etc, name))).toEqual(bytes)
    expect(readFileSync(unit, 'utf8')).toContain('Where=/srv/my-data')
    expect(readFileSync(path.join(box.etc, 'conf/app.conf'), 'utf8')).toBe('a=1\n')
    expect(readFileSync(odd, 'utf8')).toBe('managed\n')

    // Every name converges: nothing to do the second time, and check sees no drift.
    expect(box.deploy(system(true)).summary.unchanged).toEqual(['box'])
    const healthy = cli(['check', '-d', 'bytes', '--json'], box.stateDir)
    expect(json<{ healthy: boolean }>(healthy).healthy, healthy.stdout).toBe(true)

    // One byte changed by hand is drift.
    const random = path.join(box.etc, 'random.bin')
    const tampered = Buffer.from(sources['random.bin']!)
    tampered[100] = (tampered[100]! + 1) % 256
    writeFileSync(random, tampered)
    const drift = cli(['check', '-d', 'bytes'], box.stateDir)
    expect(drift.code).toBe(1)
    expect(drift.stdout).toContain(`file ${random}`)

    // The file that was there before is given back when it leaves the config.
    const second = box.deploy(system(false))
    expect(second.code, JSON.stringify(second.summary)).toBe(0)
    expect(readFileSync(odd, 'utf8')).toBe('the original\n')
    expect(readFileSync(random)).toEqual(sources['random.bin'])
  })

  it('a full disk or a directory in the way: says which file and why, and leaves nothing behind', async () => {
    const box = await host('full', { small: '64k' })
    const small = path.join(box.root, 'small')
    writeFileSync(path.join(box.config, 'big.bin'), randomBytes(256 * 1024))
    const big = path.join(small, 'big.bin')
    const full = box.deploy({ autoRollback: false, files: { [big]: { source: './big.bin' } } })
    expect(full.code).toBe(1)
    expect(full.error?.code).toBe('E_SSH_TRANSFER')
    expect(full.error?.message).toContain('machine "box"')
    expect(full.error?.message).toContain(`cannot write ${big}: no space left on the device`)
    expect(readdirSync(small)).toEqual([])

    const dir = path.join(box.etc, 'conf.d')
    mkdirSync(dir)
    writeFileSync(path.join(dir, 'keep.conf'), 'keep\n')
    const inTheWay = box.deploy({ autoRollback: false, files: { [dir]: 'x\n' } })
    expect(inTheWay.code).toBe(1)
    expect(inTheWay.error?.code).toBe('E_DEBIAN_FILE')
    expect(inTheWay.error?.message).toContain(`files["${dir}"]: a directory is in the way on the host`)
    expect(readdirSync(dir)).toEqual(['keep.conf'])
    // Nothing of it was taken over: no original kept for it on the host.
    expect(box.inHost(['grep', '-rlF', '--include=*.path', '--', dir, '/var/lib/guix-ops']).stdout).toBe('')
  })
})
