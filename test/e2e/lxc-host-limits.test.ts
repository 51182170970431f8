// The host limit that thirty containers run into: fs.inotify.max_user_instances
// (each container's systemd takes 6; the kernel's default 128 is used up at about
// 20). Each case runs guix-ops in a mount namespace of its own where that sysctl
// is a file of the test's (bind-mounted over /proc/sys/...), so the host's real
// limit is never changed: root sees it raised and told, anyone else is told
// exactly what to run, and nothing is made.
import { spawnSync } from 'node:child_process'
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { BIN } from '../support/cli.js'
import { lxcUnavailable } from '../support/lxc.js'
import { lxcContainers } from '../support/lxc-platform.js'

const unavailable = lxcUnavailable()
const LIMIT = '/proc/sys/fs/inotify/max_user_instances'

function setUp(name: string) {
  const dir = mkdtempSync(path.join(tmpdir(), `guix-ops-lxc-limits-${name}-`))
  chmodSync(dir, 0o755)
  const config = path.join(dir, 'guix-ops.config.ts')
  writeFileSync(
    config,
    `export default { name: '${name}', machines: { web: { platform: { type: 'lxc' }, system: { type: 'debian' } } } }\n`,
  )
  const limit = path.join(dir, 'max_user_instances')
  writeFileSync(limit, '128\n')
  chmodSync(limit, 0o644)
  const stateDir = path.join(dir, 'state')
  mkdirSync(stateDir)
  return { config, limit, stateDir }
}

/** Runs the CLI where the inotify limit reads from `limit`, as `user` (root when not given). */
function withLimit(limit: string, stateDir: string, argv: string[], user?: string) {
  const cli = [process.execPath, BIN, ...argv]
  const inner = user ? ['runuser', '-u', user, '--', ...cli] : cli
  const env = { ...process.env, GUIX_OPS_STATE_DIR: stateDir, HOME: '/tmp', NO_COLOR: '1' }
  const script = `mount --bind "$0" ${LIMIT} && exec "$@"`
  const r = spawnSync('unshare', ['-m', 'sh', '-c', script, limit, ...inner], { encoding: 'utf8', env })
  return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' }
}

const idOf = (stdout: string) => /id:\s+([0-9a-f]{8})/.exec(stdout)?.[1]

describe.skipIf(unavailable !== undefined)('lxc platform: the inotify limit of the host', () => {
  it('tells a user who is not root exactly what to run, and makes nothing', () => {
    const { config, limit, stateDir } = setUp('limits-user')
    chownSync(stateDir, 65534, 65534)
    const created = withLimit(limit, stateDir, ['create', config], 'nobody')
    expect(created.code).toBe(0)
    const id = idOf(created.stdout)
    const result = withLimit(limit, stateDir, ['deploy', '-d', 'limits-user'], 'nobody')
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('error E_LXC_HOST_LIMIT: fs.inotify.max_user_instances is 128')
    expect(result.stderr).toContain('run: sudo sysctl -w fs.inotify.max_user_instances=1024')
    expect(readFileSync(limit, 'utf8').trim()).toBe('128')
    expect(lxcContainers().filter((c) => c.startsWith(`guix-ops-${id}-`))).toEqual([])
  })

  it('raises it as root before the first container is made, and says so', () => {
    const { config, limit, stateDir } = setUp('limits-root')
    const hostLimit = readFileSync(LIMIT, 'utf8')
    expect(withLimit(limit, stateDir, ['create', config]).code).toBe(0)
    try {
      const result = withLimit(limit, stateDir, ['deploy', '-d', 'limits-root'])
      expect(result.stderr).toContain('raised fs.inotify.max_user_instances from 128 to 1024')
      expect(result.code).toBe(0)
      expect(readFileSync(limit, 'utf8').trim()).toBe('1024')
      expect(readFileSync(LIMIT, 'utf8')).toBe(hostLimit)
    } finally {
      const destroyed = withLimit(limit, stateDir, ['destroy', '-d', 'limits-root', '--yes'])
      expect(destroyed.code).toBe(0)
    }
  })
})
