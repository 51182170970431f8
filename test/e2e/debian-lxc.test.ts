// End to end on real Debian: two LXC containers this test creates (systemd
// and sshd inside), deployed as `managed` hosts with the `debian` driver
// through the built CLI. Packages come from a local apt repository the test
// builds; the containers' own apt sources are replaced, so no mirror is used.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { guixOps, json, tempDir } from '../support/cli.js'
import { buildRepository, lxcUnavailable, startHost, type TestHost } from '../support/lxc.js'

const unavailable = lxcUnavailable()
if (unavailable) console.warn(`skipping the Debian end-to-end test on LXC containers: ${unavailable}`)

describe.skipIf(unavailable !== undefined)('debian driver on real Debian containers', () => {
  let db: TestHost
  let app: TestHost
  let work: string
  let key: string
  let stateDir: string
  let config: string

  const sh = (host: TestHost, script: string) => host.exec(['sh', '-c', script])
  const packageStatus = (host: TestHost, name: string) =>
    host.exec(['dpkg-query', '-W', '-f=$' + '{db:Status-Abbrev}', name]).stdout.trim()

  function writeConfig(version: 1 | 2): void {
    const host = (h: TestHost) => `{ type: 'managed', host: '${h.address}', identity: '${key}' }`
    const pub = readFileSync(`${key}.pub`, 'utf8').trim()
    const dbSystem =
      version === 1
        ? `{ type: 'debian', hostname: 'db', packages: ['guix-ops-hello'], groups: ['shop'],
             users: { alice: { groups: ['shop'], authorizedKeys: ['${pub}'] } },
             files: { '/etc/shop/db.conf': { content: 'port=5432\\n', mode: '0640' }, '/etc/motd': 'managed by guix-ops\\n' },
             services: { 'guix-ops-hello': { restartOn: ['/etc/shop/db.conf'] } } }`
        : `{ type: 'debian', hostname: 'db', groups: ['shop'],
             files: { '/etc/shop/db.conf': { content: 'port=6543\\n', mode: '0640' } } }`
    writeFileSync(
      config,
      `export default {
  name: 'shop',
  machines: {
    db: { platform: ${host(db)}, system: ${dbSystem} },
    app: ({ db }) => ({
      platform: ${host(app)},
      system: { type: 'debian', files: { '/etc/shop/app.env': \`DB_HOST=\${db.address}\\n\` }, directories: { '/srv/shop': { mode: '0750' } } },
    }),
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
    db = await startHost('guix-ops-e2e-db', pub, repo)
    app = await startHost('guix-ops-e2e-app', pub, repo)
    stateDir = tempDir()
    config = path.join(work, 'guix-ops.config.ts')
  }, 300_000)

  afterAll(() => {
    db?.destroy()
    app?.destroy()
  })

  it('deploys, removes only what it created, rolls back, and reports drift', () => {
    const originalMotd = sh(db, 'cat /etc/motd').stdout
    writeConfig(1)
    expect(guixOps(['create', config], { stateDir }).code).toBe(0)
    const first = guixOps(['deploy', '-d', 'shop'], { stateDir })
    expect(first.code, first.stderr + first.stdout).toBe(0)

    // Generation 1 is on the hosts.
    expect(sh(db, 'stat -c "%a %U" /etc/shop/db.conf; cat /etc/shop/db.conf').stdout).toBe('640 root\nport=5432\n')
    expect(packageStatus(db, 'guix-ops-hello')).toBe('ii')
    expect(sh(db, 'systemctl is-enabled guix-ops-hello; systemctl is-active guix-ops-hello').stdout).toBe(
      'enabled\nactive\n',
    )
    expect(sh(db, 'id -nG alice').stdout.trim().split(' ').sort()).toEqual(['alice', 'shop'])
    expect(sh(db, 'stat -c %a /home/alice/.ssh/authorized_keys').stdout.trim()).toBe('600')
    expect(sh(db, 'hostname').stdout.trim()).toBe('db')
    expect(sh(db, 'cat /etc/motd').stdout).toBe('managed by guix-ops\n')
    expect(sh(app, 'cat /etc/shop/app.env').stdout).toBe(`DB_HOST=${db.address}\n`)
    expect(sh(app, 'stat -c %a /srv/shop').stdout.trim()).toBe('750')

    const healthy = json<{ healthy: boolean }>(guixOps(['check', '-d', 'shop', '--json'], { stateDir }))
    expect(healthy.healthy).toBe(true)
    expect(json<{ unchanged: string[] }>(guixOps(['deploy', '-d', 'shop', '--json'], { stateDir })).unchanged).toEqual([
      'db',
      'app',
    ])

    // Generation 2 drops the user, the package and its service, and the motd.
    writeConfig(2)
    const plan = guixOps(['deploy', '-d', 'shop', '--dry-run'], { stateDir })
    expect(plan.stdout).toContain('- user alice')
    expect(plan.stdout).toContain('- package guix-ops-hello')
    expect(plan.stdout).toContain('- file /etc/motd (restore the original)')
    const second = guixOps(['deploy', '-d', 'shop'], { stateDir })
    expect(second.code, second.stderr + second.stdout).toBe(0)
    expect(sh(db, 'cat /etc/shop/db.conf').stdout).toBe('port=6543\n')
    expect(sh(db, 'id alice').code).not.toBe(0)
    expect(packageStatus(db, 'guix-ops-hello')).not.toBe('ii')
    expect(sh(db, 'cat /etc/motd').stdout).toBe(originalMotd)
    expect(sh(db, 'getent group shop').code).toBe(0) // still wanted

    // Back to generation 1: user, package, service and motd return.
    const rollback = guixOps(['rollback', '-d', 'shop', '--to', '1', 'db'], { stateDir })
    expect(rollback.code, rollback.stderr + rollback.stdout).toBe(0)
    expect(sh(db, 'cat /etc/shop/db.conf').stdout).toBe('port=5432\n')
    expect(sh(db, 'id -u alice').code).toBe(0)
    expect(sh(db, 'systemctl is-active guix-ops-hello').stdout.trim()).toBe('active')
    expect(sh(db, 'cat /etc/motd').stdout).toBe('managed by guix-ops\n')
    expect(guixOps(['list-generations', '-d', 'shop', 'db'], { stateDir }).stdout).toMatch(/db\s+1 \(current\)/)

    // A file changed by hand is drift.
    sh(db, 'echo tampered > /etc/shop/db.conf')
    const drift = guixOps(['check', '-d', 'shop', '--include', 'db'], { stateDir })
    expect(drift.code).toBe(1)
    expect(drift.stdout).toContain('db: file /etc/shop/db.conf')
  })
})
