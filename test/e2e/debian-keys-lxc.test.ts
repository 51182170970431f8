// Deployment keys end to end on real Debian: two machines of the lxc
// platform (containers with systemd and sshd inside) deployed with the
// `debian` driver through the built CLI, and one of them again as a
// `managed` host reached through sudo. A canary secret goes through each
// source kind (text from an environment variable, a file, a command); then
// everything the tool wrote or printed is searched for it.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { guixOps, json, type RunResult, tempDir } from '../support/cli.js'
import { buildRepository, lxcUnavailable } from '../support/lxc.js'
import { destroyMachines, type LxcMachine, lxcMachines, lxcPlatform } from '../support/lxc-machines.js'

vi.setConfig({ testTimeout: 300_000 })
const unavailable = lxcUnavailable()
if (unavailable) console.warn(`skipping the deployment key tests on LXC containers: ${unavailable}`)

/** Every secret value below starts with this; no byte the tool writes or prints may contain it. */
const CANARY = 'k3y-canary'
const SECRET = { text: `${CANARY}-text-5c1d`, file: `${CANARY}-file-9a0b`, command: `${CANARY}-cmd-77e2` }
const ROTATED = `${CANARY}-file-rotated-31f4`

/** A service that needs the key: it starts only once guix-ops-key-dbpass is active. */
const USER_UNIT = `[Unit]
Requires=guix-ops-key-dbpass.service
After=guix-ops-key-dbpass.service
[Service]
ExecStart=/bin/sh -c 'test -s /run/keys/dbpass && exec sleep infinity'
[Install]
WantedBy=multi-user.target
`

interface Check {
  healthy: boolean
  machines: { machine: string; keys?: { missing: string[]; stale: string[] } }[]
}

describe.skipIf(unavailable !== undefined)('deployment keys on real Debian containers', () => {
  const hosts: Record<'db' | 'web', LxcMachine> = {} as never
  const stateDir = tempDir()
  const outputs: RunResult[] = []
  let work: string
  let key: string
  let config: string
  let platform: string

  /** Runs the CLI with the text secret in its environment; every byte it prints is kept for the scan. */
  const cli = (args: string[], env: Record<string, string> = {}) => {
    const result = guixOps(args, { stateDir, timeoutMs: 240_000, env: { SHOP_DB_PASSWORD: SECRET.text, ...env } })
    outputs.push(result)
    return result
  }
  const sh = (host: LxcMachine, script: string) => host.exec(['sh', '-c', script])
  const active = (host: LxcMachine, unit: string) => host.exec(['systemctl', 'is-active', unit]).stdout.trim()

  function writeConfig(extra: Record<string, string> = {}): void {
    const keys = `{
      dbpass: { text: process.env.SHOP_DB_PASSWORD },
      tls: { file: './tls.key', group: 'www-data', permissions: '0640' },
      token: { command: ['cat', 'token.txt'], destDir: '/run/keys/app' },
      ${Object.entries(extra)
        .map(([name, spec]) => `${JSON.stringify(name)}: ${spec},`)
        .join('\n')}
    }`
    const system = `{ type: 'debian', users: { webapp: {} },
      files: { '/etc/systemd/system/keys-user.service': ${JSON.stringify(USER_UNIT)} },
      services: { 'keys-user': {} } }`
    const webKeys = `{ ...${keys}, owned: { text: process.env.SHOP_DB_PASSWORD, user: 'webapp', uploadAt: 'post-activation' } }`
    writeFileSync(
      config,
      `export default {
  name: 'keys',
  machines: {
    db: { platform: ${platform}, system: ${system}, keys: ${keys} },
    web: { platform: ${platform}, system: ${system}, keys: ${webKeys} },
  },
}
`,
    )
  }

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'guix-ops-e2e-keys-'))
    key = path.join(work, 'id_ed25519')
    spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key])
    const repo = path.join(work, 'repo')
    spawnSync('mkdir', [repo])
    buildRepository(repo)
    platform = lxcPlatform(work, repo)
    config = path.join(work, 'guix-ops.config.ts')
    writeFileSync(path.join(work, 'tls.key'), SECRET.file)
    writeFileSync(path.join(work, 'token.txt'), SECRET.command)
  }, 600_000)

  // The config reads the secret from the environment: destroy evaluates it too.
  afterAll(() => destroyMachines(stateDir, 'keys', { SHOP_DB_PASSWORD: SECRET.text }), 300_000)

  it('sends each source kind to both hosts with owner and mode, and services wait on them', () => {
    writeConfig()
    expect(cli(['create', config]).code).toBe(0)
    const deploy = cli(['deploy', '-d', 'keys'])
    expect(deploy.code, deploy.stdout + deploy.stderr).toBe(0)
    Object.assign(hosts, lxcMachines(stateDir, 'keys'))
    for (const host of Object.values(hosts)) {
      const stat = (file: string) => sh(host, `stat -c '%U:%G %a' ${file}`).stdout.trim()
      expect(host.exec(['cat', '/run/keys/dbpass']).stdout).toBe(SECRET.text)
      expect(host.exec(['cat', '/run/keys/tls']).stdout).toBe(SECRET.file)
      expect(host.exec(['cat', '/run/keys/app/token']).stdout).toBe(SECRET.command)
      expect(stat('/run/keys/dbpass')).toBe('root:root 600')
      expect(stat('/run/keys/tls')).toBe('root:www-data 640')
      expect(active(host, 'guix-ops-key-dbpass.service')).toBe('active')
      expect(active(host, 'keys-user.service')).toBe('active')
    }
    // A key for a user the deploy creates goes after activation.
    expect(sh(hosts.web, "stat -c '%U %a' /run/keys/owned").stdout.trim()).toBe('webapp 600')
    const again = json<{ unchanged: string[] }>(cli(['deploy', '-d', 'keys', '--json']))
    expect(again.unchanged.sort()).toEqual(['db', 'web'])
    expect(json<Check>(cli(['check', '-d', 'keys', '--json'])).healthy).toBe(true)
  })

  it('rotation: check shows the changed key stale, and a deploy sends that key only', () => {
    writeFileSync(path.join(work, 'tls.key'), ROTATED)
    const check = cli(['check', '-d', 'keys', '--json'])
    expect(check.code).toBe(1)
    expect(json<Check>(check).machines.map((m) => m.keys)).toEqual([
      { missing: [], stale: ['tls'] },
      { missing: [], stale: ['tls'] },
    ])
    const planned = json<{ outcomes: { changes: { action: string; subject: string }[] }[] }>(
      cli(['deploy', '-d', 'keys', '--dry-run', '--json']),
    )
    expect(planned.outcomes.map((o) => o.changes.map((c) => `${c.action} ${c.subject}`))).toEqual([
      ['update key tls'],
      ['update key tls'],
    ])
    const deploy = cli(['deploy', '-d', 'keys', '--json'])
    expect(deploy.code, deploy.stderr).toBe(0)
    // Only a key changed: no new generation, but both machines did change, and say which key.
    const summary = json<{ changed: string[]; outcomes: { changes: { action: string; subject: string }[] }[] }>(deploy)
    expect(summary.changed.sort()).toEqual(['db', 'web'])
    expect(summary.outcomes.map((o) => o.changes.map((c) => `${c.action} ${c.subject}`))).toEqual([
      ['update key tls'],
      ['update key tls'],
    ])
    const sent = deploy.stderr.split('\n').filter((line) => line.includes('sending key'))
    expect(sent.map((line) => JSON.parse(line).message).sort()).toEqual([
      'sending key tls to /run/keys/tls',
      'sending key tls to /run/keys/tls',
    ])
    expect(hosts.db.exec(['cat', '/run/keys/tls']).stdout).toBe(ROTATED)
  })

  it('after a restart the keys are gone and the service waits; upload-keys brings both back', async () => {
    const db = hosts.db
    spawnSync('lxc-stop', ['-n', db.container, '-r', '-t', '60'])
    for (let i = 0; i < 240 && active(db, 'ssh') !== 'active'; i++) await new Promise((r) => setTimeout(r, 250))
    expect(db.exec(['test', '-e', '/run/keys/dbpass']).code).not.toBe(0)
    expect(active(db, 'guix-ops-key-dbpass.service')).not.toBe('active')
    expect(active(db, 'keys-user.service')).not.toBe('active')
    const check = json<Check>(cli(['check', '-d', 'keys', '--json']))
    expect(check.machines.find((m) => m.machine === 'db')?.keys?.missing.sort()).toEqual(['dbpass', 'tls', 'token'])

    const upload = cli(['upload-keys', '-d', 'keys', 'db'])
    expect(upload.code, upload.stdout + upload.stderr).toBe(0)
    expect(upload.stdout).toMatch(/db\s+sent dbpass, tls, token/)
    for (let i = 0; i < 60 && active(db, 'keys-user.service') !== 'active'; i++)
      await new Promise((r) => setTimeout(r, 250))
    expect(active(db, 'guix-ops-key-dbpass.service')).toBe('active')
    expect(active(db, 'keys-user.service')).toBe('active')
  })

  it('bad input: clear errors naming machine and key, nothing uploaded', () => {
    const cases: [string, string, RegExp][] = [
      ['{ file: "./nope.key" }', 'E_KEY_SOURCE', /machine "db", key "bad": file .*nope\.key does not exist/],
      [
        `{ command: ['sh', '-c', 'echo ${CANARY}-stdout; echo "decryption failed" >&2; exit 3'] }`,
        'E_KEY_SOURCE',
        /machine "db", key "bad": command "sh" exited with 3: decryption failed/,
      ],
      [
        '{ text: "x", destDir: "run/keys" }',
        'E_CONFIG_FIELD',
        /machines\.db\.keys\.bad\.destDir: expected an absolute path/,
      ],
      [
        '{ text: "x", permissions: "0999" }',
        'E_CONFIG_FIELD',
        /machines\.db\.keys\.bad\.permissions: expected an octal mode/,
      ],
      ['{ text: "x", user: "nosuchuser" }', 'E_KEY_OWNER', /machine "db", key "bad": the host has no user nosuchuser/],
      [
        '{ text: "x", destDir: "/etc/guix-ops-test" }',
        'E_KEY_EXISTS',
        /machine "db", key "bad": \/etc\/guix-ops-test\/bad exists and was not written by guix-ops; no key was sent/,
      ],
    ]
    // A file of the host's own where a key would go: it is neither replaced nor removed.
    sh(hosts.db, 'mkdir -p /etc/guix-ops-test && echo "the host\'s own" > /etc/guix-ops-test/bad')
    for (const [spec, code, message] of cases) {
      writeConfig({ bad: spec })
      // Both renderings where they differ in what they show: a command's output, and a host's refusal.
      for (const json of code === 'E_CONFIG_FIELD' || spec.includes('nope') ? [false] : [false, true]) {
        const result = cli(['deploy', '-d', 'keys', '--include', 'db', ...(json ? ['--json'] : [])])
        expect(result.code, spec).toBe(1)
        // With --json the message is a JSON string: its quotes are escaped.
        expect((result.stdout + result.stderr).replaceAll('\\"', '"'), spec).toMatch(message)
        // A machine's failure reads as a line of the summary; its code is in the --json summary.
        if (json) expect(result.stdout + result.stderr, spec).toContain(code)
      }
      expect(hosts.db.exec(['test', '-e', '/run/keys/bad']).code, spec).not.toBe(0)
    }
    expect(hosts.db.exec(['cat', '/etc/guix-ops-test/bad']).stdout).toBe("the host's own\n")
    writeConfig()
  })

  it('a key that leaves the config leaves the host, with its unit', () => {
    writeConfig({ extra: `{ text: process.env.SHOP_DB_PASSWORD }` })
    expect(cli(['deploy', '-d', 'keys', '--include', 'db']).code).toBe(0)
    expect(hosts.db.exec(['test', '-e', '/run/keys/extra']).code).toBe(0)
    writeConfig()
    expect(cli(['deploy', '-d', 'keys', '--include', 'db']).code).toBe(0)
    expect(hosts.db.exec(['test', '-e', '/run/keys/extra']).code).not.toBe(0)
    expect(hosts.db.exec(['test', '-e', '/etc/systemd/system/guix-ops-key-extra.service']).code).not.toBe(0)
  })

  it('a login user that is not root writes keys through sudo, owned by root', () => {
    const { web } = hosts
    web.exec(
      [
        'sh',
        '-c',
        'useradd --create-home deployer && install -d -o deployer -m 700 /home/deployer/.ssh && install -o deployer -m 600 /dev/null /home/deployer/.ssh/authorized_keys && cat > /home/deployer/.ssh/authorized_keys && echo "deployer ALL=(ALL) NOPASSWD: ALL" > /etc/sudoers.d/deployer && chmod 0440 /etc/sudoers.d/deployer',
      ],
      readFileSync(`${key}.pub`, 'utf8'),
    )
    const file = path.join(work, 'sudo.config.ts')
    writeFileSync(
      file,
      `export default { name: 'keys-sudo', machines: { box: {
  platform: { type: 'managed', host: '${web.managementAddress}', user: 'deployer', sudo: true, identity: '${key}' },
  system: { type: 'debian' },
  keys: { viasudo: { text: process.env.SHOP_DB_PASSWORD, destDir: '/run/keys/sudo' } },
} } }
`,
    )
    expect(cli(['create', file]).code).toBe(0)
    const deployed = cli(['deploy', '-d', 'keys-sudo', '--take-over'])
    expect(deployed.code, deployed.stdout + deployed.stderr).toBe(0)
    expect(sh(web, 'stat -c "%U:%G %a" /run/keys/sudo/viasudo && cat /run/keys/sudo/viasudo').stdout).toBe(
      `root:root 600\n${SECRET.text}`,
    )
    // Nothing was left behind in the login user's temp files.
    expect(sh(web, 'grep -rl k3y-canary /tmp /var/tmp /home/deployer').stdout).toBe('')
  })

  it('no value is written down: state dir, exports, host records, every output', () => {
    for (const format of ['json', 'sexp']) {
      const exported = cli(['export', '-d', 'keys', '--format', format])
      expect(exported.code, exported.stderr).toBe(0)
    }
    cli(['info', '-d', 'keys', '--json'])
    cli(['list-generations', '-d', 'keys', '--json'])
    const hits: string[] = []
    const scan = (where: string, text: string) => {
      if (text.includes(CANARY)) hits.push(where)
    }
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const full = path.join(dir, name)
        if (statSync(full).isDirectory()) walk(full)
        else scan(full, readFileSync(full, 'latin1'))
      }
    }
    walk(stateDir)
    outputs.forEach((r, i) => {
      scan(`output ${i} stdout`, r.stdout)
      scan(`output ${i} stderr`, r.stderr)
    })
    for (const host of Object.values(hosts)) {
      const found = host.exec(['grep', '-rl', '--', CANARY, '/var/lib/guix-ops', '/etc/systemd/system'])
      scan(`${host.container}: /var/lib/guix-ops`, found.stdout)
      expect(found.code, found.stderr).toBe(1) // grep: nothing found, and no error
      // The same search does find the keys where they belong.
      expect(host.exec(['grep', '-rlq', '--', CANARY, '/run/keys']).code).toBe(0)
    }
    expect(outputs.length).toBeGreaterThan(20)
    expect(hits).toEqual([])
  })
})
