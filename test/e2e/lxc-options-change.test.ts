// Options changed on an existing lxc machine, through the built CLI on a
// real container: a new memory, cpus, autostart or mounts is listed by
// deploy --dry-run, check and info, and applied by deploy (memory and cpus
// to the running container's cgroup at once, mounts with a restart); a new
// release is never applied behind the user's back: deploy, check and info
// say the container was made with the old one and that destroy then deploy
// re-creates it. A stopped container starts with the limits deploy wrote.
import { execFileSync } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { guixOps, json, tempDir } from '../support/cli.js'
import { lxcUnavailable } from '../support/lxc.js'

vi.setConfig({ testTimeout: 300_000 })

const unavailable = lxcUnavailable()
if (unavailable) console.warn(`skipping the lxc option change test: ${unavailable}`)

const MiB = 1024 * 1024

describe.skipIf(unavailable !== undefined)('options changed on an existing lxc machine', () => {
  const dir = tempDir('guix-ops-lxc-options-')
  const stateDir = path.join(dir, 'state')
  const config = path.join(dir, 'guix-ops.config.json')
  const shared = path.join(dir, 'shared')
  const run = (args: string[]) => guixOps(args, { stateDir })
  const output = (r: { stdout: string; stderr: string }) => r.stdout + r.stderr

  function write(platform: Record<string, unknown>) {
    const machine = { platform: { type: 'lxc', release: 'bookworm', ...platform }, system: { type: 'debian' } }
    writeFileSync(config, JSON.stringify({ name: 'opts', machines: { web: machine } }))
  }
  const container = (): string => {
    const deployments = path.join(stateDir, 'deployments')
    const state = JSON.parse(readFileSync(path.join(deployments, readdirSync(deployments)[0]!), 'utf8'))
    return state.machines.web.resource.container
  }
  const cgroup = (key: string) => execFileSync('lxc-cgroup', ['-n', container(), key], { encoding: 'utf8' }).trim()
  const inside = (...argv: string[]) =>
    execFileSync('lxc-attach', ['-n', container(), '--clear-env', '--', ...argv], { encoding: 'utf8' })
  const warnings = (r: { stderr: string }) =>
    r.stderr
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { type: string; level?: string; message: string })
      .filter((e) => e.type === 'log' && e.level === 'warn')
      .map((e) => e.message)
  const release =
    'lxc machine "web" was made with release "bookworm"; the config now says "trixie", which cannot change on an existing machine, so it was left as it is: `guix-ops destroy -d opts web` then `guix-ops deploy -d opts` re-creates it with the new value (what is on its disks is lost) [E_LXC_RECREATE]'
  const memory =
    'lxc machine "web" was made with memory 256; the config now says 512: deploy changes it (a running container gets the new limit at once, without a restart)'

  beforeAll(() => {
    mkdirSync(shared)
    writeFileSync(path.join(shared, 'note'), 'from the host\n')
    write({ memory: 256 })
    expect(run(['create', config]).code).toBe(0)
  })

  afterAll(() => {
    run(['destroy', '-d', 'opts', '--yes'])
  })

  it('made with a memory limit, the container has it', () => {
    const deployed = run(['deploy', '-d', 'opts'])
    expect(deployed.code, output(deployed)).toBe(0)
    expect(Number(cgroup('memory.limit_in_bytes'))).toBe(256 * MiB)
  })

  it('deploy --dry-run, check and info tell every change; the dry run changes nothing', () => {
    write({ memory: 512, cpus: 1, autostart: true, mounts: [{ source: shared, target: '/shared' }], release: 'trixie' })
    const planned = run(['deploy', '-d', 'opts', '--dry-run', '--json'])
    expect(planned.code, output(planned)).toBe(0)
    const changes = json<{ outcomes: { changes: { action: string; subject: string; detail?: string }[] }[] }>(planned)
      .outcomes[0]!.changes
    expect(changes.filter((c) => c.subject.startsWith('lxc '))).toEqual([
      {
        action: 'update',
        subject: 'lxc memory',
        detail: '256 -> 512: a running container gets the new limit at once, without a restart',
      },
      {
        action: 'update',
        subject: 'lxc cpus',
        detail: 'null -> 1: a running container gets the new limit at once, without a restart',
      },
      {
        action: 'update',
        subject: 'lxc mounts',
        detail: `null -> [{"source":"${shared}","target":"/shared","readOnly":false}]: restarts the container`,
      },
      { action: 'update', subject: 'lxc autostart', detail: 'false -> true: taken up when the host boots' },
    ])
    expect(warnings(planned)).toEqual([release])
    expect(Number(cgroup('memory.limit_in_bytes'))).toBe(256 * MiB)

    for (const command of ['check', 'info']) {
      const told = run([command, '-d', 'opts'])
      expect(output(told)).toContain(memory)
      expect(output(told)).toContain(release)
    }
    expect(run(['check', '-d', 'opts']).code).toBe(1)
  })

  it('deploy applies memory, cpus, autostart and mounts to the container, and leaves its release', () => {
    const deployed = run(['deploy', '-d', 'opts'])
    expect(deployed.code, output(deployed)).toBe(0)
    expect(output(deployed)).toContain(release)
    expect(Number(cgroup('memory.limit_in_bytes'))).toBe(512 * MiB)
    expect(cgroup('cpu.cfs_quota_us')).toBe('100000')
    expect(inside('cat', '/shared/note')).toBe('from the host\n')
    expect(inside('cat', '/etc/debian_version')).toMatch(/^12\./)
    const autostart = execFileSync('lxc-info', ['-n', container(), '-c', 'lxc.start.auto'], { encoding: 'utf8' })
    expect(autostart.trim()).toBe('lxc.start.auto = 1')

    const after = run(['check', '-d', 'opts'])
    expect(output(after)).toContain(release)
    expect(output(after)).not.toContain('memory')
    expect(output(after)).not.toContain('mounts')
  })

  it('a limit left out is lifted from the running container', () => {
    write({ release: 'trixie', mounts: [{ source: shared, target: '/shared' }], autostart: true })
    const deployed = run(['deploy', '-d', 'opts'])
    expect(deployed.code, output(deployed)).toBe(0)
    expect(Number(cgroup('memory.limit_in_bytes'))).toBeGreaterThan(512 * MiB)
    expect(cgroup('cpu.cfs_quota_us')).toBe('-1')
  })

  it('a stopped container starts with the limit deploy wrote into its config', () => {
    expect(run(['stop', '-d', 'opts', 'web']).code).toBe(0)
    write({ release: 'trixie', mounts: [{ source: shared, target: '/shared' }], autostart: true, memory: 384 })
    const deployed = run(['deploy', '-d', 'opts'])
    expect(deployed.code, output(deployed)).toBe(0)
    expect(Number(cgroup('memory.limit_in_bytes'))).toBe(384 * MiB)
    expect(inside('cat', '/shared/note')).toBe('from the host\n')
  })
})
