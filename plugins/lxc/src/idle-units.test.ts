import { lstat, mkdtemp, readdir, readlink, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { maskIdleUnits } from './idle-units.js'

const made: string[] = []
afterEach(async () => {
  for (const dir of made.splice(0)) await rm(dir, { recursive: true, force: true })
})

async function upperLayer(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'guix-ops-idle-units-'))
  made.push(dir)
  return dir
}

describe('idle units of a new clone', () => {
  it('masks them the way systemctl mask does, and leaves what a server runs alone', async () => {
    const upper = await upperLayer()
    await maskIdleUnits(upper)
    const units = path.join(upper, 'etc/systemd/system')
    expect(await readlink(path.join(units, 'getty.target'))).toBe('/dev/null')
    const generators = path.join(upper, 'etc/systemd/system-generators')
    expect(await readlink(path.join(generators, 'systemd-gpt-auto-generator'))).toBe('/dev/null')
    const masked = [...(await readdir(units)), ...(await readdir(generators))]
    for (const kept of [
      'ssh.service',
      'systemd-journald.service',
      'systemd-journal-flush.service',
      'networking.service',
    ])
      expect(masked).not.toContain(kept)
    // Units that packages bring with them come from generators too (postgresql's per cluster).
    expect(masked).not.toContain('systemd-sysv-generator')
    expect(masked).not.toContain('postgresql-generator')
  })

  it('makes its directories 0755 under a strict umask, so daemons that are not root can read /etc', async () => {
    const upper = await upperLayer()
    const previous = process.umask(0o077)
    try {
      await maskIdleUnits(upper)
    } finally {
      process.umask(previous)
    }
    for (const dir of ['etc', 'etc/systemd', 'etc/systemd/system', 'etc/systemd/system-generators'])
      expect((await lstat(path.join(upper, dir))).mode & 0o777).toBe(0o755)
  })
})
