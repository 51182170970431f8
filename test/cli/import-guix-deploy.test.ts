// `guix-ops import-guix-deploy` through the built CLI on guix deploy files
// written from the fields the Guix manual documents; the configs it writes
// are then accepted by `guix-ops create`, which validates them with the
// managed platform's and the guix driver's own option schemas.
import { spawnSync } from 'node:child_process'
import { cpSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { FIXTURES, guixOps, json, snapshot, tempDir } from '../support/cli.js'

interface Imported {
  deployment: string
  config: string
  files: string[]
  machines: { name: string; host: string; port: number; user: string; system: string; config: string }[]
}
interface ErrorOutput {
  error: { code: string; message: string; suggestion?: string }
}

/** A copy of the fixtures in a fresh dir, and the CLI run there. */
function workspace(kind: 'deploy' | 'deploy-bad') {
  const dir = tempDir('guix-ops-import-')
  cpSync(path.join(FIXTURES, 'guix', kind), dir, { recursive: true })
  const stateDir = tempDir()
  return { dir, stateDir, run: (args: string[]) => guixOps(args, { stateDir, cwd: dir }) }
}

/** What `create` recorded from the written config, as `info --json` shows it. */
function created(w: ReturnType<typeof workspace>, config: string) {
  const result = w.run(['create', config, '--json'])
  expect(result.code, result.stdout + result.stderr).toBe(0)
  return json<{ machines: Record<string, { platform: string; system: string }> }>(result).machines
}

/** The machine specs the written config exports, loaded the way a config is. */
async function specs(
  config: string,
): Promise<Record<string, { platform: Record<string, unknown>; system: Record<string, unknown> }>> {
  return ((await import(config)) as { default: { machines: never } }).default.machines
}

describe('guix-ops import-guix-deploy', () => {
  it("the manual's bare-bones example: user, port, a relative identity made absolute", async () => {
    const w = workspace('deploy')
    const imported = json<Imported>(w.run(['import-guix-deploy', 'bare-bones.scm', '--json']))
    expect(imported.deployment).toBe('bare-bones')
    expect(imported.machines).toEqual([
      {
        name: 'localhost',
        host: 'localhost',
        port: 2222,
        user: 'alice',
        system: 'x86_64-linux',
        config: './bare-bones-localhost.scm',
      },
    ])
    expect((await specs(imported.config)).localhost).toEqual({
      platform: {
        type: 'managed',
        host: 'localhost',
        port: 2222,
        user: 'alice',
        identity: path.join(w.dir, 'id_rsa'),
        sudo: true,
      },
      system: {
        type: 'guix',
        config: './bare-bones-localhost.scm',
        system: 'x86_64-linux',
        buildLocally: true,
        authorize: true,
        allowDowngrades: false,
        safetyChecks: true,
      },
    })
    expect(created(w, imported.config)).toEqual({ localhost: { platform: 'managed', system: 'guix' } })
    // The generated file loads the deploy file and picks the machine by its host name.
    const scm = readFileSync(path.join(w.dir, 'bare-bones-localhost.scm'), 'utf8')
    expect(scm).toContain('(load "bare-bones.scm")')
    expect(scm).toContain('"localhost"))')
    expect(
      spawnSync('guile', ['-c', '(let loop () (unless (eof-object? (read)) (loop)))'], { input: scm }).status,
    ).toBe(0)
  })

  it('a fleet of three: host keys, non-root users with sudo, build-locally? and ports kept', async () => {
    const w = workspace('deploy')
    const imported = json<Imported>(
      w.run(['import-guix-deploy', 'web-fleet.scm', '--out', 'fleet.config.ts', '--name', 'fleet', '--json']),
    )
    expect(imported.config).toBe(path.join(w.dir, 'fleet.config.ts'))
    expect(imported.machines.map((m) => [m.name, m.host, m.port, m.user])).toEqual([
      ['web1', 'web1.example.org', 22, 'deploy'],
      ['web2', 'web2.example.org', 22, 'deploy'],
      ['db', 'db.example.org', 2200, 'root'],
    ])
    const machines = await specs(imported.config)
    expect(machines.web1?.platform).toEqual({
      type: 'managed',
      host: 'web1.example.org',
      port: 22,
      user: 'deploy',
      identity: '/home/deploy/.ssh/id_ed25519',
      hostKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJr1Zk1s4zY2r4B1nq8qJ2h3w8sYbK6m9vQ0rL5xT1aB root@web1',
      sudo: true,
    })
    expect(machines.web1?.system.buildLocally).toBe(false)
    expect(machines.db?.platform).toEqual({
      type: 'managed',
      host: 'db.example.org',
      port: 2200,
      user: 'root',
      identity: '~/.ssh/fleet_ed25519',
    })
    expect(machines.db?.system.buildLocally).toBe(true)
    expect(Object.keys(created(w, imported.config))).toEqual(['web1', 'web2', 'db'])
  })

  it('machines defined first and listed later, other architectures, allow-downgrades? and safety-checks?', async () => {
    const w = workspace('deploy')
    const imported = json<Imported>(w.run(['import-guix-deploy', 'mixed-arch.scm', '--json']))
    expect(imported.machines.map((m) => [m.name, m.system])).toEqual([
      ['pi', 'aarch64-linux'],
      ['nas', 'x86_64-linux'],
    ])
    const machines = await specs(imported.config)
    expect(machines.pi?.system).toMatchObject({
      system: 'aarch64-linux',
      allowDowngrades: true,
      safetyChecks: false,
      authorize: true,
    })
    expect(machines.nas?.system).toMatchObject({
      buildLocally: true,
      allowDowngrades: false,
      safetyChecks: true,
      authorize: false,
    })
    // Each is picked by host name, whatever the order of the final list.
    expect(readFileSync(path.join(w.dir, 'mixed-arch-pi.scm'), 'utf8')).toContain('"pi.lab.lan"')
    expect(Object.keys(created(w, imported.config))).toEqual(['pi', 'nas'])
  })

  it('hosts by IPv4 and IPv6 address, with gexps in the file', async () => {
    const w = workspace('deploy')
    const imported = json<Imported>(w.run(['import-guix-deploy', 'by-address.scm', '--json']))
    expect(imported.machines.map((m) => [m.name, m.host, m.user])).toEqual([
      ['host-192-0-2-10', '192.0.2.10', 'root'],
      ['host-2001-db8-20', '2001:db8::20', 'ops'],
    ])
    expect((await specs(imported.config))['host-192-0-2-10']?.platform.hostKey).toBe(
      'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHb4cQ2n8pL6sV0wX3yZ1aB5dE7fG9hJ2kL4mN6oP8qR',
    )
    expect(Object.keys(created(w, imported.config))).toHaveLength(2)
  })

  it('an inline operating-system, and text output that says what to do next', async () => {
    const w = workspace('deploy')
    const result = w.run(['import-guix-deploy', 'single-vm.scm'])
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toContain('build-vm  build-vm.internal:2222  root  x86_64-linux  ./single-vm-build-vm.scm')
    expect(result.stdout).toContain(`Next: guix-ops create ${path.join(w.dir, 'guix-ops.config.ts')}`)
    expect((await specs(path.join(w.dir, 'guix-ops.config.ts')))['build-vm']?.platform.identity).toBe(
      path.join(w.dir, 'keys/build_vm'),
    )
  })

  it('says plainly which fields it cannot map: a session, and build-locally? #f', async () => {
    const w = workspace('deploy')
    const imported = json<Imported & { notMapped: { machine: string; field: string; at: string; why: string }[] }>(
      w.run(['import-guix-deploy', 'remote-build.scm', '--json']),
    )
    const file = path.join(w.dir, 'remote-build.scm')
    expect(imported.notMapped).toEqual([
      {
        machine: 'builder',
        field: 'session',
        at: `${file}:28:24`,
        why: 'a live Guile-SSH session cannot be carried over; guix-ops connects with host-name, port, user and identity',
      },
      {
        machine: 'builder',
        field: 'build-locally?',
        at: `${file}:26:24`,
        why: 'buildLocally: false has the host evaluate and build the config with its own Guix; guix deploy evaluates here and only builds there',
      },
    ])
    expect((await specs(imported.config)).builder?.system).toMatchObject({ buildLocally: false, authorize: false })
    expect(readFileSync(imported.config, 'utf8')).toContain('// Not mapped: session (remote-build.scm:28:24): ')
    expect(Object.keys(created(w, imported.config))).toEqual(['builder'])

    const text = workspace('deploy').run(['import-guix-deploy', 'remote-build.scm'])
    expect(text.stdout).toContain('Not mapped: builder: session at ')
    expect(text.stdout).toContain('Not mapped: builder: build-locally? at ')
  })

  it('refuses to overwrite, and changes nothing', () => {
    const w = workspace('deploy')
    expect(w.run(['import-guix-deploy', 'single-vm.scm']).code).toBe(0)
    const before = snapshot(w.dir)
    const again = json<ErrorOutput>(w.run(['import-guix-deploy', 'single-vm.scm', '--json']))
    expect(again.error.code).toBe('E_GUIX_IMPORT_EXISTS')
    expect(snapshot(w.dir)).toEqual(before)
    expect(w.run(['import-guix-deploy', 'single-vm.scm', '--force']).code).toBe(0)
  })

  it.each([
    ['digital-ocean.scm', 'E_GUIX_IMPORT', ':5:8: the environment digital-ocean-environment-type is not supported'],
    ['no-machines.scm', 'E_GUIX_IMPORT', ': no (machine ...) forms: this is not a guix deploy file'],
    ['computed-host.scm', 'E_GUIX_IMPORT', ':7:24: host-name must be a literal string, not (string-append ...)'],
    ['no-system.scm', 'E_GUIX_IMPORT', ':4:23: machine-ssh-configuration has no system'],
    ['unreadable.scm', 'E_GUIX_SYNTAX', ':5:45: this string is never closed'],
  ])('%s: %s, nothing written', (file, code, message) => {
    const w = workspace('deploy-bad')
    const before = snapshot(w.dir)
    const result = w.run(['import-guix-deploy', file, '--json'])
    expect(result.code).toBe(1)
    const { error } = json<ErrorOutput>(result)
    expect(error.code).toBe(code)
    expect(error.message).toContain(`${path.join(w.dir, file)}${message}`)
    expect(snapshot(w.dir)).toEqual(before)
  })

  it('a file that does not exist', () => {
    const w = workspace('deploy-bad')
    const { error } = json<ErrorOutput>(w.run(['import-guix-deploy', 'missing.scm', '--json']))
    expect(error).toMatchObject({ code: 'E_GUIX_IMPORT', message: 'missing.scm: no such file' })
  })
})
