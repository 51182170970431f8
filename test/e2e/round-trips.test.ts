// How many times a deploy waits on the wire, per host: logins, commands and
// file uploads, counted by a real sshd on 127.0.0.1 from its own log
// (LogLevel DEBUG1, and sftp-server's own log at INFO). The host is a mount namespace of
// its own with a private /var/lib; PID 1 is not systemd here, so the
// automatic rollback is off (autoRollback: false), as on such hosts. The
// work is a directory and four files (one 0600), under the test's temp dir.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { guixOps, json, tempDir } from '../support/cli.js'
import { type RoundTrips, roundTrips, sshdUnavailable, startSshd, type TestSshd } from '../support/sshd.js'

vi.setConfig({ testTimeout: 300_000 })

const unavailable = sshdUnavailable()
if (unavailable) console.warn(`skipping the round-trip counts: ${unavailable}`)

describe.skipIf(unavailable !== undefined)('round trips of a deploy, per host', () => {
  const work = mkdtempSync(path.join(tmpdir(), 'guix-ops-roundtrips-'))
  let sshd: TestSshd | undefined
  afterAll(async () => {
    await sshd?.stop()
    rmSync(work, { recursive: true, force: true })
  })

  it('a cold deploy, a no-op re-deploy and a one-file change stay within their counts', async () => {
    const tmpfs: Record<string, string> = { '/var/lib': '16m' }
    if (existsSync('/run/systemd')) tmpfs['/run/systemd'] = '1m'
    sshd = await startSshd({ tmpfs, trace: true })
    const server = sshd
    const app = path.join(work, 'srv/app')
    const stateDir = tempDir()
    const config = path.join(work, 'guix-ops.config.ts')
    const write = (motd: string) => {
      const files = {
        [`${app}/a.conf`]: 'a=1\n',
        [`${app}/b.conf`]: 'b=1\n',
        [`${app}/motd`]: motd,
        [`${app}/secret`]: { content: 'hush\n', mode: '0600' },
      }
      const platform = {
        type: 'managed',
        host: '127.0.0.1',
        port: server.port,
        user: server.user,
        identity: server.identity,
      }
      const system = { type: 'debian', autoRollback: false, directories: { [app]: { mode: '0755' } }, files }
      writeFileSync(
        config,
        `export default ${JSON.stringify({ name: 'trips', machines: { box: { platform, system } } })}\n`,
      )
    }
    /** Deploys and returns what the server saw of it. */
    const deploy = (): { status: string | undefined; trips: RoundTrips } => {
      const before = roundTrips(server.log())
      const result = guixOps(['deploy', '-d', 'trips', '--json'], { stateDir })
      expect(result.code, result.stdout + result.stderr).toBe(0)
      const status = json<{ outcomes: { status: string }[] }>(result).outcomes[0]?.status
      const after = roundTrips(server.log())
      const trips = {
        connections: after.connections - before.connections,
        commands: after.commands - before.commands,
        uploads: after.uploads - before.uploads,
      }
      return { status, trips }
    }

    write('hello\n')
    expect(guixOps(['create', config], { stateDir }).code).toBe(0)
    const cold = deploy()
    const noop = deploy()
    write('hello again\n')
    const change = deploy()
    console.log(`round trips per host: ${JSON.stringify({ cold: cold.trips, noop: noop.trips, change: change.trips })}`)

    // The deploys did their work, with the same guarantees.
    expect([cold.status, noop.status, change.status]).toEqual(['changed', 'unchanged', 'changed'])
    expect(readFileSync(`${app}/motd`, 'utf8')).toBe('hello again\n')
    expect(statSync(`${app}/secret`).mode & 0o777).toBe(0o600)
    // The host key seen on first contact is pinned.
    const [document] = readdirSync(path.join(stateDir, 'deployments'))
    const state = JSON.parse(readFileSync(path.join(stateDir, 'deployments', document!), 'utf8'))
    expect(state.machines.box.hostKey).toBe(server.hostKey)

    // One login deploys; a change adds the fresh login that confirms it.
    expect(cold.trips.connections).toBe(2)
    expect(noop.trips.connections).toBe(1)
    expect(change.trips.connections).toBe(2)
    // Planning reads the records and the config's facts in one script (the generation in force with them);
    // bookkeeping is batched; no command per file. A change into a directory the plan saw, by owners it
    // saw, writes with no command before its upload: plan, record, and the confirming login's one.
    expect(noop.trips.commands).toBeLessThanOrEqual(1)
    expect(change.trips.commands).toBeLessThanOrEqual(3)
    expect(cold.trips.commands).toBeLessThanOrEqual(7)
    expect(change.trips.uploads).toBeLessThanOrEqual(2)
    expect(cold.trips.uploads).toBeLessThanOrEqual(6)
  })
})
