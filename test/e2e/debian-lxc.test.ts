// End to end on real Debian: three LXC containers the lxc platform makes
// for this test (systemd and sshd inside), deployed as `managed` hosts with
// the `debian` driver through the built CLI: db, app (which needs db's address) and proxy (which
// needs app's). Each runs a small service answering on port 8080 with its
// config. Packages come from a local apt repository the test builds; the
// containers' own apt sources are replaced, so no mirror is contacted.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { Socket } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { guixOps, json, tempDir } from '../support/cli.js'
import { buildRepository, destroyHosts, lxcUnavailable, startHost, type TestHost } from '../support/lxc.js'

// Real containers on a busy machine (VMs may boot beside them): minutes, not seconds.
vi.setConfig({ testTimeout: 300_000 })

const unavailable = lxcUnavailable()
if (unavailable) console.warn(`skipping the Debian end-to-end test on LXC containers: ${unavailable}`)

// A file path and content that a shell would act on: they must land on the host word for word.
const HOSTILE_PATH = "/etc/shop/we ird $(touch /tmp/guix-ops-pwned-path); 'q' `id`.conf"
const HOSTILE_CONTENT = '$(touch /tmp/guix-ops-pwned-content)\n`reboot`; rm -rf / "\'\n'

/** What the service on host:8080 answers (a container this test created). */
function answer(host: TestHost): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = new Socket()
    let body = ''
    socket.setTimeout(5000, () => socket.destroy(new Error(`no answer from ${host.address}:8080`)))
    socket.on('data', (d) => {
      body += d
    })
    socket.on('end', () => resolve(body))
    socket.on('error', reject)
    socket.connect(8080, host.address)
  })
}

async function eventually(probe: () => Promise<string>, expected: string, attempts = 40): Promise<string> {
  let last = ''
  for (let i = 0; i < attempts; i++) {
    last = await probe().catch((error: Error) => error.message)
    if (last === expected) return last
    await new Promise((r) => setTimeout(r, 250))
  }
  return last
}

describe.skipIf(unavailable !== undefined)('debian driver on real Debian containers', () => {
  const hosts: Record<'db' | 'app' | 'proxy', TestHost> = {} as never
  let work: string
  let key: string
  let stateDir: string
  let config: string

  const sh = (host: TestHost, script: string) => host.exec(['sh', '-c', script])
  const packageStatus = (host: TestHost, name: string) =>
    host.exec(['dpkg-query', '-W', '-f=$' + '{db:Status-Abbrev}', name]).stdout.trim()

  function writeConfig(version: 1 | 2, breakSshOnApp = false): void {
    const platform = (name: keyof typeof hosts) =>
      `{ type: 'managed', host: '${hosts[name].address}', identity: '${key}' }`
    const pub = readFileSync(`${key}.pub`, 'utf8').trim()
    const service = (conf: string, extra = false) => `packages: ['guix-ops-hello'${extra ? ", 'guix-ops-extra'" : ''}],
        files: { '/etc/guix-ops-hello.conf': ${conf} },
        services: { 'guix-ops-hello': { restartOn: ['/etc/guix-ops-hello.conf'] } }`
    const extra =
      version === 1
        ? `groups: ['shop'], users: { alice: { groups: ['shop'], authorizedKeys: ['${pub}'] } },
           directories: { '/srv/shop': { mode: '0750' } }`
        : `groups: ['shop']`
    // A change that moves sshd to another port: the fresh connection after it fails.
    const appSystem = breakSshOnApp
      ? `confirmTimeout: 10, ${service(`\`app v${version}, db at \${db.address}:8080\\n\``)
          .replace('files: { ', "files: { '/etc/ssh/sshd_config.d/port.conf': 'Port 2222\\n', ")
          .replace('services: { ', "services: { ssh: { restartOn: ['/etc/ssh/sshd_config.d/port.conf'] }, ")}`
      : service(`\`app v${version}, db at \${db.address}:8080\\n\``).replace(
          'files: { ',
          `files: { ${JSON.stringify(HOSTILE_PATH)}: ${JSON.stringify(HOSTILE_CONTENT)}, `,
        )
    const motd = version === 1 ? `'/etc/motd': 'managed by guix-ops\\n',` : ''
    writeFileSync(
      config,
      `export default {
  name: 'shop',
  machines: {
    db: { platform: ${platform('db')}, system: { type: 'debian', hostname: 'db', ${extra}, ${service(`'db v${version}\\n'`, version === 1).replace('files: { ', `files: { ${motd} `)} } },
    app: ({ db }) => ({ platform: ${platform('app')}, system: { type: 'debian', ${appSystem} } }),
    proxy: ({ app }) => ({ platform: ${platform('proxy')}, system: { type: 'debian', ${service(`\`proxy -> \${app.address}:8080\\n\``)} } }),
  },
}
`,
    )
  }

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'guix-ops-e2e-'))
    key = path.join(work, 'id_ed25519')
    spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key])
    const repo = path.join(work, 'repo')
    spawnSync('mkdir', [repo])
    buildRepository(repo)
    const pub = readFileSync(`${key}.pub`, 'utf8').trim()
    for (const name of ['db', 'app', 'proxy'] as const) hosts[name] = await startHost(`guix-ops-e2e-${name}`, pub, repo)
    stateDir = tempDir()
    config = path.join(work, 'guix-ops.config.ts')
  }, 600_000)

  afterAll(() => destroyHosts(Object.values(hosts)))

  it('deploys 3 machines in dependency order with services answering, redeploys a change, rolls back, reports drift', async () => {
    const { db, app, proxy } = hosts
    const originalMotd = sh(db, 'cat /etc/motd').stdout
    writeConfig(1)
    expect(guixOps(['create', config], { stateDir }).code).toBe(0)
    const first = guixOps(['deploy', '-d', 'shop'], { stateDir })
    expect(first.code, first.stderr + first.stdout).toBe(0)
    expect(first.stdout).toContain('3 changed, 0 unchanged, 0 failed, 0 skipped')

    // The services answer, with their dependency's address filled in.
    expect(await eventually(() => answer(db), 'db v1\n')).toBe('db v1\n')
    expect(await eventually(() => answer(app), `app v1, db at ${db.address}:8080\n`)).toBe(
      `app v1, db at ${db.address}:8080\n`,
    )
    expect(await eventually(() => answer(proxy), `proxy -> ${app.address}:8080\n`)).toBe(
      `proxy -> ${app.address}:8080\n`,
    )

    // Paths and contents are data, never shell: written literally, nothing run.
    expect(app.exec(['cat', '--', HOSTILE_PATH]).stdout).toBe(HOSTILE_CONTENT)
    for (const canary of ['/tmp/guix-ops-pwned-path', '/tmp/guix-ops-pwned-content']) {
      expect(sh(app, `test -e ${canary}`).code).not.toBe(0)
      expect(existsSync(canary)).toBe(false)
    }

    // Generation 1 on db: package, service, user, group, directory, hostname, a taken-over file.
    expect(packageStatus(db, 'guix-ops-hello')).toBe('ii')
    expect(packageStatus(db, 'guix-ops-extra')).toBe('ii')
    expect(sh(db, 'systemctl is-enabled guix-ops-hello; systemctl is-active guix-ops-hello').stdout).toBe(
      'enabled\nactive\n',
    )
    expect(sh(db, 'id -nG alice').stdout.trim().split(' ').sort()).toEqual(['alice', 'shop'])
    expect(sh(db, 'stat -c %a /home/alice/.ssh/authorized_keys').stdout.trim()).toBe('600')
    expect(sh(db, 'stat -c %a /srv/shop').stdout.trim()).toBe('750')
    expect(sh(db, 'hostname').stdout.trim()).toBe('db')
    expect(sh(db, 'cat /etc/motd').stdout).toBe('managed by guix-ops\n')

    expect(json<{ healthy: boolean }>(guixOps(['check', '-d', 'shop', '--json'], { stateDir })).healthy).toBe(true)
    expect(json<{ unchanged: string[] }>(guixOps(['deploy', '-d', 'shop', '--json'], { stateDir })).unchanged).toEqual([
      'db',
      'app',
      'proxy',
    ])

    // Generation 2: the configs change, alice, /srv/shop and the motd leave the config.
    writeConfig(2)
    const plan = guixOps(['deploy', '-d', 'shop', '--dry-run'], { stateDir })
    expect(plan.stdout).toContain('- user alice')
    expect(plan.stdout).toContain('- package guix-ops-extra')
    expect(plan.stdout).toContain('- file /etc/motd (restore the original)')
    expect(plan.stdout).toContain('proxy: no changes')
    const second = guixOps(['deploy', '-d', 'shop'], { stateDir })
    expect(second.code, second.stderr + second.stdout).toBe(0)
    expect(second.stdout).toContain('2 changed, 1 unchanged')
    expect(await eventually(() => answer(db), 'db v2\n')).toBe('db v2\n') // restarted on its file's change
    expect(await eventually(() => answer(app), `app v2, db at ${db.address}:8080\n`)).toBe(
      `app v2, db at ${db.address}:8080\n`,
    )
    expect(sh(db, 'id alice').code).not.toBe(0)
    expect(sh(db, 'test -e /srv/shop').code).not.toBe(0)
    expect(packageStatus(db, 'guix-ops-extra')).not.toBe('ii')
    expect(sh(db, 'cat /etc/motd').stdout).toBe(originalMotd)
    expect(sh(db, 'getent group shop').code).toBe(0) // still wanted

    // Back to generation 1 on db: files, user, directory and motd as they were.
    const rollback = guixOps(['rollback', '-d', 'shop', '--to', '1', 'db'], { stateDir })
    expect(rollback.code, rollback.stderr + rollback.stdout).toBe(0)
    expect(await eventually(() => answer(db), 'db v1\n')).toBe('db v1\n')
    expect(sh(db, 'id -u alice').code).toBe(0)
    expect(sh(db, 'stat -c %a /srv/shop').stdout.trim()).toBe('750')
    expect(packageStatus(db, 'guix-ops-extra')).toBe('ii')
    expect(sh(db, 'cat /etc/motd').stdout).toBe('managed by guix-ops\n')
    expect(guixOps(['list-generations', '-d', 'shop', 'db'], { stateDir }).stdout).toMatch(/db\s+1 \(current\)/)
    expect(guixOps(['delete-generation', '-d', 'shop', 'db', '1'], { stateDir }).code).toBe(1) // the current one: refused
    expect(guixOps(['delete-generation', '-d', 'shop', 'db', '2'], { stateDir }).code).toBe(0)
    expect(sh(db, 'ls /var/lib/guix-ops/*/db/generations').stdout).toBe('1.json\n')
    const afterRollback = json<{ machines: { machine: string; drift: unknown[] }[] }>(
      guixOps(['check', '-d', 'shop', '--include', 'db', '--json'], { stateDir }),
    )
    expect(afterRollback.machines[0]?.drift).toEqual([])

    // A file changed by hand is drift.
    sh(db, 'echo tampered > /etc/guix-ops-hello.conf')
    const drift = guixOps(['check', '-d', 'shop', '--include', 'db'], { stateDir })
    expect(drift.code).toBe(1)
    expect(drift.stdout).toContain('db: file /etc/guix-ops-hello.conf')
  })

  it('a change that cuts guix-ops off undoes itself on the host: confirm or roll back', {
    timeout: 180_000,
  }, async () => {
    const { app } = hosts
    writeConfig(2, true)
    const broken = guixOps(['deploy', '-d', 'shop', '--include', 'app'], { stateDir })
    expect(broken.code).toBe(1)
    expect(broken.stdout + broken.stderr).toContain('confirm after activation of machine "app" failed')
    expect(broken.stdout + broken.stderr).toContain('restores its previous files by itself')
    // The host waits 10 s for the confirmation, then restores its files and restarts sshd.
    const back = await eventually(
      async () => (sh(app, 'test -e /etc/ssh/sshd_config.d/port.conf').code === 0 ? 'still broken' : 'restored'),
      'restored',
      360,
    )
    const journal = () =>
      sh(
        app,
        'systemctl list-timers --all --no-pager; journalctl --no-pager | grep -i guix-ops-rollback | tail -20; ls -la /var/lib/guix-ops/*/*/pending',
      ).stdout
    expect(back, `${broken.stdout}\n${broken.stderr}\n${journal()}`).toBe('restored')
    const reachable = await eventually(
      async () => String(guixOps(['ssh', '-d', 'shop', 'app', '--', 'true'], { stateDir }).code),
      '0',
    )
    expect(reachable).toBe('0')
    writeConfig(2)
    expect(
      json<{ healthy: boolean }>(guixOps(['check', '-d', 'shop', '--include', 'app', '--json'], { stateDir })).healthy,
    ).toBe(true)
  })

  // On db, which no later test uses: the shop manages it already, so this deployment takes it over beside it.
  it('deploys as a non-root user through sudo, and refuses up front, naming the user, when sudo is missing or wants a password', () => {
    const { db } = hosts
    sh(
      db,
      'useradd --create-home deployer && install -d -o deployer -m 700 /home/deployer/.ssh && install -o deployer -m 600 /root/.ssh/authorized_keys /home/deployer/.ssh/authorized_keys',
    )
    const file = path.join(work, 'sudo.config.ts')
    writeFileSync(
      file,
      `export default { name: 'sudo-test', machines: { box: {
  platform: { type: 'managed', host: '${db.address}', user: 'deployer', sudo: true, identity: '${key}' },
  system: { type: 'debian', packages: ['guix-ops-extra'], files: { '/etc/guix-ops-sudo-test': { content: 'x\\n', mode: '0640' } } },
} } }
`,
    )
    expect(guixOps(['create', file], { stateDir }).code).toBe(0)
    const refusal = () => {
      const result = guixOps(['deploy', '-d', 'sudo-test', '--take-over', '--json'], { stateDir })
      expect(result.code).toBe(1)
      expect(sh(db, 'test -e /etc/guix-ops-sudo-test').code).not.toBe(0)
      return json<{ failed: { machine: string; error: string }[] }>(result).failed[0]?.error
    }
    // deployer is in no sudoers rule: sudo wants a password, which guix-ops never types.
    expect(refusal()).toMatch(/sudo -n does not work for deployer: sudo: a password is required/)
    sh(db, 'mv /usr/bin/sudo /usr/bin/sudo.away')
    expect(refusal()).toMatch(/sudo -n does not work for deployer: .*sudo.*not found/)
    sh(db, 'mv /usr/bin/sudo.away /usr/bin/sudo')
    sh(db, 'echo "deployer ALL=(ALL) NOPASSWD: ALL" > /etc/sudoers.d/deployer && chmod 0440 /etc/sudoers.d/deployer')
    const deployed = guixOps(['deploy', '-d', 'sudo-test', '--take-over'], { stateDir })
    expect(deployed.code, deployed.stdout + deployed.stderr).toBe(0)
    expect(sh(db, 'stat -c "%U %a" /etc/guix-ops-sudo-test && cat /etc/guix-ops-sudo-test').stdout).toBe(
      'root 640\nx\n',
    )
    expect(packageStatus(db, 'guix-ops-extra')).toBe('ii')
  })

  it('reboots a managed host and finds it again with its pinned key, its service up', async () => {
    const { proxy, app } = hosts
    // A container shares the kernel: its reboot shows as a new start time of PID 1.
    const pid1Start = () => sh(proxy, 'cut -d" " -f22 /proc/1/stat').stdout
    const before = pid1Start()
    const reboot = guixOps(['reboot', '-d', 'shop', 'proxy'], { stateDir })
    expect(reboot.code, reboot.stderr + reboot.stdout).toBe(0)
    expect(reboot.stdout).toMatch(/proxy\s+rebooted, up/)
    expect(pid1Start()).not.toBe(before)
    expect(await eventually(() => answer(proxy), `proxy -> ${app.address}:8080\n`)).toBe(
      `proxy -> ${app.address}:8080\n`,
    )
  })
})
