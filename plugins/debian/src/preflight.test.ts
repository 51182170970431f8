import { describe, expect, it } from 'vitest'
import { caught } from '../../../test/support/errors.js'
import { type Desired, EMPTY_MANAGED, type Facts } from './model.js'
import { preflight } from './preflight.js'

const facts = (over: Partial<Facts> = {}): Facts => ({
  installed: [],
  files: {},
  directories: {},
  users: [],
  groups: [],
  services: {},
  systemd: true,
  ...over,
})
const want = (over: Partial<Desired> = {}): Desired => ({
  packages: [],
  groups: [],
  users: {},
  files: { '/etc/motd': { content: 'hi\n', mode: '0644', owner: 'root', group: 'root' } },
  directories: {},
  services: {},
  commands: [],
  ...over,
})
const check =
  (desired: Desired, host: Facts, autoRollback = true) =>
  async () =>
    preflight(desired, EMPTY_MANAGED, host, { autoRollback, machine: 'db' })

describe('preflight: refused before anything changes', () => {
  it('a host without systemd needs autoRollback: false, and takes no services', async () => {
    const noSystemd = facts({ systemd: false })
    const rollback = await caught(check(want(), noSystemd))
    expect(rollback.code).toBe('E_DEBIAN_NO_SYSTEMD')
    expect(rollback.message).toContain('debian: machine "db": the automatic rollback needs systemd')
    expect(rollback.suggestion).toContain('autoRollback: false')
    await expect(check(want(), noSystemd, false)()).resolves.toBeUndefined()
    const services = await caught(
      check(want({ services: { nginx: { enable: true, restartOn: [] } } }), noSystemd, false),
    )
    expect(services.message).toContain("services need systemd, and this host's PID 1 is not systemd")
    expect(services.message).toMatch(/: nginx$/)
    await expect(check(want({ services: { nginx: { enable: true, restartOn: [] } } }), facts())()).resolves.toBe(
      undefined,
    )
  })

  it('a directory where a file is wanted', async () => {
    const error = await caught(check(want(), facts({ files: { '/etc/motd': { exists: true, kind: 'directory' } } })))
    expect(error.code).toBe('E_DEBIAN_FILE')
    expect(error.message).toBe('debian: machine "db": files["/etc/motd"]: a directory is in the way on the host')
  })
})
