// Files whose bytes or names are out of the ordinary, on a real Debian host
// (a machine of the lxc platform deployed by the built CLI, systemd and sshd
// inside): binary `source` files, a systemd unit named with `\x2d`, a file
// already there under a name with a tab and a newline, a path written with `//`.
import { createHash, randomBytes } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { guixOps, json, tempDir } from '../support/cli.js'
import { lxcUnavailable } from '../support/lxc.js'
import { destroyMachines, type LxcMachine, lxcMachines } from '../support/lxc-machines.js'

vi.setConfig({ testTimeout: 900_000 })
const unavailable = lxcUnavailable()
if (unavailable) console.warn(`skipping the debian file tests on an LXC container: ${unavailable}`)

const UNIT = 'guix-ops-x\\x2dy'
const UNIT_FILE = `/etc/systemd/system/${UNIT}.service`
const ODD = '/etc/guix-ops-odd\tna\nme, back\\slash'

describe.skipIf(unavailable !== undefined)('debian driver: bytes and names on a real Debian host', () => {
  let host: LxcMachine
  let work: string
  const stateDir = tempDir()
  const sources: Record<string, Buffer> = {
    'site.gz': gzipSync('hello\n'.repeat(100)),
    // Byte 100 is 0, so that writing 1 there below is a change.
    'random.bin': Buffer.concat([randomBytes(100), Buffer.from([0]), randomBytes(8091)]),
    'latin1.txt': Buffer.from('café, 100 °C\n', 'latin1'),
  }
  const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex')
  const hostSha = (file: string) => host.exec(['sh', '-c', 'sha256sum < "$1"', 'sh', file]).stdout.split(' ')[0]
  const cli = (args: string[]) => guixOps(args, { stateDir, timeoutMs: 400_000 })

  function writeConfig(withOdd: boolean): string {
    const files: Record<string, unknown> = {
      [UNIT_FILE]: '[Service]\nExecStart=/bin/sleep infinity\n[Install]\nWantedBy=multi-user.target\n',
      '/etc//guix-ops//spelled.conf': 'a=1\n',
      ...(withOdd ? { [ODD]: 'managed\n' } : {}),
    }
    for (const name of Object.keys(sources)) files[`/srv/blobs/${name}`] = { source: `./${name}` }
    const system = { type: 'debian', files, services: { [UNIT]: { restartOn: [UNIT_FILE] } } }
    const platform = { type: 'lxc' }
    const file = path.join(work, 'guix-ops.config.ts')
    writeFileSync(
      file,
      `export default ${JSON.stringify({ name: 'files', machines: { box: { platform, system } } })}\n`,
    )
    return file
  }

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'guix-ops-e2e-files-'))
    for (const [name, bytes] of Object.entries(sources)) writeFileSync(path.join(work, name), bytes)
  }, 600_000)

  afterAll(() => destroyMachines(stateDir, 'files'), 300_000)

  it('writes bytes exactly, converges on every name, sees a changed byte, gives back what was there', () => {
    // The machine is made by the first deploy; the file under the odd name is there before the config names it.
    expect(cli(['create', writeConfig(false)]).code).toBe(0)
    const made = cli(['deploy', '-d', 'files'])
    expect(made.code, made.stdout + made.stderr).toBe(0)
    host = lxcMachines(stateDir, 'files').box!
    host.exec(['sh', '-c', 'printf "the original\\n" > "$1"', 'sh', ODD])
    writeConfig(true)
    const first = cli(['deploy', '-d', 'files'])
    expect(first.code, first.stdout + first.stderr).toBe(0)
    for (const [name, bytes] of Object.entries(sources)) expect(hostSha(`/srv/blobs/${name}`), name).toBe(sha(bytes))
    expect(host.exec(['systemctl', 'is-active', UNIT]).stdout.trim()).toBe('active')
    expect(host.exec(['cat', '/etc/guix-ops/spelled.conf']).stdout).toBe('a=1\n')
    expect(host.exec(['cat', ODD]).stdout).toBe('managed\n')

    expect(json<{ unchanged: string[] }>(cli(['deploy', '-d', 'files', '--json'])).unchanged).toEqual(['box'])
    expect(json<{ healthy: boolean }>(cli(['check', '-d', 'files', '--json'])).healthy).toBe(true)

    // One byte changed on the host is drift.
    host.exec(['sh', '-c', 'printf "\\001" | dd of=/srv/blobs/random.bin bs=1 seek=100 conv=notrunc 2>/dev/null'])
    const drift = cli(['check', '-d', 'files'])
    expect(drift.code).toBe(1)
    expect(drift.stdout).toContain('file /srv/blobs/random.bin')

    // The file under the odd name was backed up when taken over, and comes back when it leaves the config.
    const second = cli(['deploy', '-d', 'files'])
    expect(second.code, second.stdout + second.stderr).toBe(0)
    expect(hostSha('/srv/blobs/random.bin')).toBe(sha(sources['random.bin']!))
    writeConfig(false)
    const third = cli(['deploy', '-d', 'files'])
    expect(third.code, third.stdout + third.stderr).toBe(0)
    expect(host.exec(['cat', ODD]).stdout).toBe('the original\n')
  })
})
