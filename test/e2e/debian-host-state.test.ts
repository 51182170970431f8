// What the debian driver keeps on a host, under faults, on a real Debian
// container this test creates (systemd and sshd inside): a taken-over file's
// original survives a failed deploy and a killed CLI; two deployments on one
// host keep their own records; a CLI killed before confirming leaves a state
// that the next command puts right from the host's own record.
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { BIN, guixOps, json, oclifDirs, tempDir } from '../support/cli.js'
import { buildRepository, lxcUnavailable, startHost, type TestHost } from '../support/lxc.js'

vi.setConfig({ testTimeout: 300_000 })

const unavailable = lxcUnavailable()
if (unavailable) console.warn(`skipping the debian host-state tests on LXC containers: ${unavailable}`)

async function eventually<T>(probe: () => T, done: (value: T) => boolean, seconds = 90): Promise<T> {
  let last = probe()
  for (let i = 0; i < seconds * 4 && !done(last); i++) {
    await new Promise((r) => setTimeout(r, 250))
    last = probe()
  }
  return last
}

/**
 * A command for a deploy to run that makes the host's sshd stop answering for
 * 12 s, then stop. sshd's listener is frozen (SIGSTOP), not closed: the
 * kernel still takes connections into its backlog, so a fresh login hangs
 * from the first instant. (Closing sshd and opening a silent listener after
 * left a moment in which a login was refused at once, and the deploy ended
 * before the test could kill it.) Sessions already open are other processes,
 * and go on.
 */
const BLACKHOLE_SSHD = 'kill -STOP "$(systemctl show -p MainPID --value ssh)"; sleep 12; systemctl stop ssh'

describe.skipIf(unavailable !== undefined)('debian host-side records on a real Debian container', () => {
  let host: TestHost
  let work: string
  let key: string
  let stateDir: string

  const sh = (script: string) => host.exec(['sh', '-c', script])
  const cat = (file: string) => host.exec(['cat', '--', file]).stdout

  /** A config file for deployment `name` with one machine on the test host. */
  function config(name: string, machine: string, system: string): string {
    const file = path.join(work, `${name}.config.ts`)
    writeFileSync(
      file,
      `export default { name: '${name}', machines: { ${machine}: {
  platform: { type: 'managed', host: '${host.address}', identity: '${key}' },
  system: { type: 'debian', ${system} },
} } }
`,
    )
    return file
  }

  /** Starts a deploy without waiting for it, its stderr collected. */
  function deployInBackground(name: string): { child: ChildProcessWithoutNullStreams; stderr: () => string } {
    const child = spawn(process.execPath, [BIN, 'deploy', '-d', name], {
      env: { ...process.env, ...oclifDirs(stateDir), GUIX_OPS_STATE_DIR: stateDir, NO_COLOR: '1' },
    })
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => {
      stderr += d
    })
    return { child, stderr: () => stderr }
  }

  async function kill(child: ChildProcessWithoutNullStreams): Promise<void> {
    const exited = new Promise((r) => child.once('exit', r))
    if (child.exitCode !== null || child.signalCode !== null) return // ended already: its 'exit' has gone by
    child.kill('SIGKILL')
    await exited
  }

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'guix-ops-hoststate-'))
    key = path.join(work, 'id_ed25519')
    spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key])
    const repo = path.join(work, 'repo')
    spawnSync('mkdir', [repo])
    buildRepository(repo)
    host = await startHost('guix-ops-hoststate', readFileSync(`${key}.pub`, 'utf8').trim(), repo)
    stateDir = tempDir()
  }, 600_000)

  afterAll(() => host?.destroy())

  it("a taken-over file's original survives a deploy that failed after writing it", () => {
    sh('echo original > /etc/guix-ops-taken.conf')
    const taken = "files: { '/etc/guix-ops-taken.conf': 'managed\\n', '/etc/guix-ops-keep.conf': 'keep\\n' }"
    const file = config('keep', 'box', `${taken}, services: { 'guix-ops-no-such-service': {} }`)
    expect(guixOps(['create', file], { stateDir }).code).toBe(0)
    const failed = guixOps(['deploy', '-d', 'keep'], { stateDir })
    expect(failed.code).toBe(1)
    expect(failed.stderr).toContain('guix-ops-no-such-service')
    expect(cat('/etc/guix-ops-taken.conf')).toBe('managed\n')

    config('keep', 'box', taken) // fixed: the service is gone
    const fixed = guixOps(['deploy', '-d', 'keep'], { stateDir })
    expect(fixed.code, fixed.stdout + fixed.stderr).toBe(0)
    config('keep', 'box', "files: { '/etc/guix-ops-keep.conf': 'keep\\n' }")
    const released = guixOps(['deploy', '-d', 'keep'], { stateDir })
    expect(released.code, released.stdout + released.stderr).toBe(0)
    expect(cat('/etc/guix-ops-taken.conf')).toBe('original\n')
  })

  it("a taken-over file's original survives a CLI killed between writing the file and recording it", async () => {
    sh('echo original2 > /etc/guix-ops-taken2.conf')
    const files = "files: { '/etc/guix-ops-taken2.conf': 'managed2\\n', '/etc/guix-ops-keep.conf': 'keep\\n' }"
    config('keep', 'box', `${files}, commands: [{ run: ['sleep', '120'], on: ['/etc/guix-ops-taken2.conf'] }]`)
    const deploy = deployInBackground('keep')
    // The command runs after the files are written, and before the generation is recorded.
    await eventually(deploy.stderr, (text) => text.includes('[box] command'), 120)
    expect(cat('/etc/guix-ops-taken2.conf')).toBe('managed2\n')
    await kill(deploy.child)
    sh('pkill -x sleep')

    config('keep', 'box', files)
    const retried = guixOps(['deploy', '-d', 'keep'], { stateDir })
    expect(retried.code, retried.stdout + retried.stderr).toBe(0)
    config('keep', 'box', "files: { '/etc/guix-ops-keep.conf': 'keep\\n' }")
    const released = guixOps(['deploy', '-d', 'keep'], { stateDir })
    expect(released.code, released.stdout + released.stderr).toBe(0)
    expect(cat('/etc/guix-ops-taken2.conf')).toBe('original2\n')
  })

  it('a CLI killed between apply and confirm: the host rolls back, and the next check or deploy puts the state right', {
    timeout: 400_000,
  }, async () => {
    const generation = (text: string) =>
      `confirmTimeout: 20, files: { '/etc/guix-ops-keep.conf': 'keep\\n', '/etc/guix-ops-gen.conf': '${text}\\n' }`
    const recorded = () =>
      json<{ state: { machines: { box: { currentGeneration?: number } } } }>(
        guixOps(['info', '-d', 'keep', '--json'], { stateDir }),
      ).state.machines.box.currentGeneration

    /** Deploys `text`, kills the CLI while it waits to confirm, and waits for the host to undo it. */
    async function killedBeforeConfirm(text: string): Promise<void> {
      // During the apply, sshd stops answering: the confirmation's fresh
      // connection hangs until sshd goes (12 s).
      const blackhole = BLACKHOLE_SSHD
      const unit = `guix-ops-test-blackhole-${text}`
      config(
        'keep',
        'box',
        `${generation(text)}, commands: [{ run: ['systemd-run', '--collect', '--unit=${unit}', 'sh', '-c', ${JSON.stringify(blackhole)}], on: ['/etc/guix-ops-gen.conf'] }]`,
      )
      const deploy = deployInBackground('keep')
      const timers = () => sh("systemctl list-timers --all --no-legend 'guix-ops-rollback-*'").stdout.trim()
      expect(await eventually(timers, (t) => t !== '', 120), deploy.stderr()).not.toBe('')
      await new Promise((r) => setTimeout(r, 1000)) // the CLI records the generation, then waits on the listener
      await kill(deploy.child)
      // Unconfirmed, the host restores its files and restarts sshd by itself.
      const restored = await eventually(
        () => cat('/etc/guix-ops-gen.conf'),
        (found) => found === 'one\n',
        120,
      )
      expect(restored).toBe('one\n')
      const reachable = await eventually(
        () => guixOps(['ssh', '-d', 'keep', 'box', '--', 'true'], { stateDir }).code,
        (code) => code === 0,
        60,
      )
      expect(reachable).toBe(0)
      config('keep', 'box', generation('one'))
    }

    config('keep', 'box', generation('one'))
    expect(guixOps(['deploy', '-d', 'keep'], { stateDir }).code).toBe(0)
    const before = recorded()!
    expect(before).toBeGreaterThan(0)

    await killedBeforeConfirm('two')
    expect(recorded()).toBe(before + 1)
    // The next command reads the host's own record and says so.
    const check = guixOps(['check', '-d', 'keep'], { stateDir })
    expect(check.stderr).toContain(`the host has generation ${before} in force, not generation ${before + 1}`)
    expect(recorded()).toBe(before)
    expect(check.code, check.stdout + check.stderr).toBe(0)

    await killedBeforeConfirm('three')
    expect(recorded()).toBe(before + 2)
    const deploy = guixOps(['deploy', '-d', 'keep'], { stateDir })
    expect(deploy.code, deploy.stdout + deploy.stderr).toBe(0)
    expect(deploy.stderr).toContain(`the host has generation ${before} in force, not generation ${before + 2}`)
    expect(recorded()).toBe(before)
  })

  it("a taken-over file's original survives giving it back in a deploy that is never confirmed", {
    timeout: 400_000,
  }, async () => {
    sh('echo original4 > /etc/guix-ops-taken4.conf')
    const keep = "'/etc/guix-ops-keep.conf': 'keep\\n'"
    config(
      'keep',
      'box',
      `confirmTimeout: 20, files: { ${keep}, '/etc/guix-ops-taken4.conf': 'managed4\\n', '/etc/guix-ops-gen.conf': 'one\\n' }`,
    )
    const taken = guixOps(['deploy', '-d', 'keep'], { stateDir })
    expect(taken.code, taken.stdout + taken.stderr).toBe(0)
    expect(cat('/etc/guix-ops-taken4.conf')).toBe('managed4\n')

    // The file leaves the config in a deploy whose confirmation never gets through (see the test above).
    const blackhole = BLACKHOLE_SSHD
    config(
      'keep',
      'box',
      `confirmTimeout: 20, files: { ${keep}, '/etc/guix-ops-gen.conf': 'two\\n' }, commands: [{ run: ['systemd-run', '--collect', '--unit=guix-ops-test-blackhole-giveback', 'sh', '-c', ${JSON.stringify(blackhole)}], on: ['/etc/guix-ops-gen.conf'] }]`,
    )
    const deploy = deployInBackground('keep')
    const timers = () => sh("systemctl list-timers --all --no-legend 'guix-ops-rollback-*'").stdout.trim()
    expect(await eventually(timers, (t) => t !== '', 120), deploy.stderr()).not.toBe('')
    expect(cat('/etc/guix-ops-taken4.conf')).toBe('original4\n') // given back, not yet confirmed
    await new Promise((r) => setTimeout(r, 1000))
    await kill(deploy.child)
    // Unconfirmed, the host undoes the give-back: guix-ops' content, and the kept original, are back.
    expect(
      await eventually(
        () => cat('/etc/guix-ops-gen.conf'),
        (found) => found === 'one\n',
        120,
      ),
    ).toBe('one\n')
    expect(cat('/etc/guix-ops-taken4.conf')).toBe('managed4\n')
    const reachable = await eventually(
      () => guixOps(['ssh', '-d', 'keep', 'box', '--', 'true'], { stateDir }).code,
      (code) => code === 0,
      60,
    )
    expect(reachable).toBe(0)

    // Given back again, confirmed this time: the original is what the host holds.
    config('keep', 'box', `files: { ${keep}, '/etc/guix-ops-gen.conf': 'one\\n' }`)
    const released = guixOps(['deploy', '-d', 'keep'], { stateDir })
    expect(released.code, released.stdout + released.stderr).toBe(0)
    expect(cat('/etc/guix-ops-taken4.conf')).toBe('original4\n')
  })

  it('two deployments on one host keep their own records: the second is refused unless it takes over, and removes nothing of the first', () => {
    const keepFiles = "files: { '/etc/guix-ops-keep.conf': 'keep\\n', '/etc/guix-ops-gen.conf': 'one\\n' }"
    config('keep', 'box', keepFiles)
    expect(guixOps(['deploy', '-d', 'keep'], { stateDir }).code).toBe(0)
    const other = config(
      'other',
      'box2',
      "files: { '/etc/guix-ops-other.conf': 'other\\n', '/etc/guix-ops-gen.conf': 'changed by other\\n' }",
    )
    expect(guixOps(['create', other], { stateDir }).code).toBe(0)
    const refused = guixOps(['deploy', '-d', 'other'], { stateDir })
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain('deployment "keep"')
    expect(refused.stderr).toContain('machine "box"')
    expect(refused.stderr).toContain('--take-over')
    expect(host.exec(['test', '-e', '/etc/guix-ops-other.conf']).code).not.toBe(0)

    const taken = guixOps(['deploy', '-d', 'other', '--take-over'], { stateDir })
    expect(taken.code, taken.stdout + taken.stderr).toBe(0)
    expect(cat('/etc/guix-ops-other.conf')).toBe('other\n')
    expect(cat('/etc/guix-ops-keep.conf')).toBe('keep\n')
    expect(guixOps(['deploy', '-d', 'other'], { stateDir }).code).toBe(0) // taken over once is enough

    // keep's check sees what the other deployment changed, and who claims it.
    const check = guixOps(['check', '-d', 'keep'], { stateDir })
    expect(check.code).toBe(1)
    expect(check.stdout).toContain('box: file /etc/guix-ops-gen.conf')
    expect(check.stdout).toMatch(/deployment "other" machine "box2"/)

    // Removing a file from one deployment leaves the other's alone.
    config('other', 'box2', "files: { '/etc/guix-ops-other.conf': 'other\\n' }")
    expect(guixOps(['deploy', '-d', 'other'], { stateDir }).code).toBe(0)
    expect(cat('/etc/guix-ops-gen.conf')).toBe('one\n') // other restored what it found
    expect(cat('/etc/guix-ops-keep.conf')).toBe('keep\n')
    expect(guixOps(['check', '-d', 'keep'], { stateDir }).code).toBe(0)
  })

  it('a host with the single layout of earlier versions keeps its generations and backups', () => {
    const id = json<{ state: { id: string } }>(guixOps(['info', '-d', 'keep', '--json'], { stateDir })).state.id
    sh('echo original3 > /etc/guix-ops-taken3.conf')
    config('keep', 'box', "files: { '/etc/guix-ops-keep.conf': 'keep\\n', '/etc/guix-ops-taken3.conf': 'x\\n' }")
    expect(guixOps(['deploy', '-d', 'keep'], { stateDir }).code).toBe(0)
    // Back to the old layout: everything of this machine directly in /var/lib/guix-ops.
    const dir = `/var/lib/guix-ops/${id}/box`
    const downgrade = `test -f ${dir}/current && rm ${dir}/owner.json && mv ${dir}/* /var/lib/guix-ops/ && rm -rf /var/lib/guix-ops/${id}`
    expect(sh(downgrade).code).toBe(0)
    const check = guixOps(['check', '-d', 'keep'], { stateDir })
    expect(check.code, check.stdout + check.stderr).toBe(0) // its generation in force is found again
    expect(sh(`test -f ${dir}/current && test ! -e /var/lib/guix-ops/current`).code).toBe(0)
    config('keep', 'box', "files: { '/etc/guix-ops-keep.conf': 'keep\\n' }")
    expect(guixOps(['deploy', '-d', 'keep'], { stateDir }).code).toBe(0)
    expect(cat('/etc/guix-ops-taken3.conf')).toBe('original3\n')
  })
})
