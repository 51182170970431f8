// An unprivileged lxc machine through the built CLI: root inside is an
// ordinary high uid on this host (root's range in /etc/subuid), and the
// debian driver deploys to it over SSH as to any other. Without a range for
// root the deploy is refused, saying which file lacks what and what to run,
// and nothing is made; that case runs in a mount namespace of its own, with
// empty files over /etc/subuid and /etc/subgid, so this host is not changed.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { BIN, guixOps, json, oclifDirs, tempDir } from '../support/cli.js'
import { lxcUnavailable } from '../support/lxc.js'
import { attach, lxcContainers } from '../support/lxc-platform.js'

vi.setConfig({ testTimeout: 300_000 })

/** Where root's subordinate uids start, if it has 65536 of them in both files. */
function rootRange(): number | undefined {
  const start = (file: string) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .map((l) => l.trim().split(':'))
      .find(([name, , count]) => name === 'root' && Number(count) >= 65536)?.[1]
  try {
    const [uid, gid] = [start('/etc/subuid'), start('/etc/subgid')]
    return uid !== undefined && gid !== undefined ? Number(uid) : undefined
  } catch {
    return undefined
  }
}

const RANGE = rootRange()
const unavailable =
  lxcUnavailable() ??
  (RANGE === undefined ? 'root has no subordinate ids (scripts/lib.sh gives it 100000-165535)' : undefined)
if (unavailable) console.warn(`skipping the unprivileged lxc container test: ${unavailable}`)

const CONFIG = `export default {
  name: 'userns',
  machines: {
    box: { platform: { type: 'lxc', unprivileged: true }, system: { type: 'debian', files: { '/etc/userns.conf': 'mapped\\n' } } },
  },
}
`

describe.skipIf(unavailable !== undefined)('lxc platform: an unprivileged container', () => {
  let stateDir: string
  let config: string

  beforeAll(() => {
    const work = mkdtempSync(path.join(tmpdir(), 'guix-ops-lxc-userns-'))
    config = path.join(work, 'guix-ops.config.ts')
    writeFileSync(config, CONFIG)
    stateDir = tempDir()
    expect(guixOps(['create', config], { stateDir }).code).toBe(0)
  })

  afterAll(() => {
    guixOps(['destroy', '-d', 'userns', '--yes'], { stateDir })
  }, 120_000)

  const container = () =>
    json<{ state: { machines: { box?: { outputs?: { container?: string } } } } }>(
      guixOps(['info', '-d', 'userns', '--json'], { stateDir }),
    ).state.machines.box?.outputs?.container ?? ''

  it('without a range for root in /etc/subuid, is refused saying what to set, and nothing is made', () => {
    const empty = path.join(mkdtempSync(path.join(tmpdir(), 'guix-ops-no-subuid-')), 'empty')
    writeFileSync(empty, '')
    const before = lxcContainers()
    const script = 'mount --bind "$1" /etc/subuid && mount --bind "$1" /etc/subgid && shift && exec "$@"'
    const result = spawnSync(
      'unshare',
      [
        '-m',
        '--propagation',
        'private',
        'sh',
        '-c',
        script,
        'sh',
        empty,
        process.execPath,
        BIN,
        'deploy',
        '-d',
        'userns',
      ],
      {
        encoding: 'utf8',
        env: { ...process.env, ...oclifDirs(stateDir), GUIX_OPS_STATE_DIR: stateDir, NO_COLOR: '1' },
        timeout: 120_000,
      },
    )
    const output = `${result.stdout}${result.stderr}`
    expect(result.status, output).toBe(1)
    expect(output).toContain('E_LXC_UNPRIVILEGED')
    expect(output).toContain('/etc/subuid gives root no range of 65536')
    expect(output).toContain('usermod --add-subuids 100000-165535 --add-subgids 100000-165535 root')
    expect(lxcContainers()).toEqual(before)
    expect(container()).toBe('')
  })

  it("runs root inside as root's subordinate uid outside, and deploys to it over SSH", () => {
    const deploy = guixOps(['deploy', '-d', 'userns'], { stateDir })
    expect(deploy.code, deploy.stderr + deploy.stdout).toBe(0)
    const name = container()
    const pid = spawnSync('lxc-info', ['-n', name, '-pH'], { encoding: 'utf8' }).stdout.trim()
    // The container's init: uid 0 in its own namespace, root's first subordinate uid on this host.
    expect(readFileSync(`/proc/${pid}/uid_map`, 'utf8').trim().split(/\s+/)).toEqual(['0', String(RANGE), '65536'])
    expect(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]).toBe(String(RANGE))
    expect(attach(name, ['id', '-u']).stdout.trim()).toBe('0')
    // What the debian driver wrote as root over SSH: root's inside, the high uid outside.
    expect(attach(name, ['stat', '-c', '%u %U', '/etc/userns.conf']).stdout.trim()).toBe('0 root')
    expect(statSync(`/proc/${pid}/root/etc/userns.conf`).uid).toBe(RANGE)
    expect(readFileSync(`/proc/${pid}/root/etc/userns.conf`, 'utf8')).toBe('mapped\n')
    const ssh = guixOps(['ssh', '-d', 'userns', 'box', '--', 'id', '-u'], { stateDir })
    expect(ssh.stdout.trim(), ssh.stderr).toBe('0')
    expect(json<{ healthy: boolean }>(guixOps(['check', '-d', 'userns', '--json'], { stateDir })).healthy).toBe(true)
    const destroyed = guixOps(['destroy', '-d', 'userns', '--yes'], { stateDir })
    expect(destroyed.code, destroyed.stderr).toBe(0)
    expect(lxcContainers()).not.toContain(name)
  })
})
