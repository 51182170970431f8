/**
 * Real Debian machines for end-to-end tests: LXC containers (systemd and
 * sshd inside) on the lxcbr0 bridge that lxc-net sets up. They are clones
 * of the lxc platform's own Debian base (built once, from the Debian
 * mirror this machine's apt sources name, and kept stopped as a cache), so
 * these tests and the platform's share it; each test host is a
 * copy-on-write clone, destroyed afterwards. The hosts get their
 * packages only from a local apt repository the test builds: their own
 * apt sources are replaced, so they contact no mirror.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { ensureBase } from '@guix-ops/plugin-lxc'

/**
 * Container names carry a short tag of this checkout, so that two checkouts on
 * one machine can run the same suite at once without destroying each other's hosts.
 */
const CHECKOUT = createHash('sha256').update(process.cwd()).digest('hex').slice(0, 6)

export function lxcUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'LXC tests run as root'
  if (!existsSync('/usr/bin/lxc-create')) return 'lxc is not installed (apt-get install lxc debootstrap)'
  if (!existsSync('/usr/libexec/lxc/lxc-net')) return 'lxc-net is missing'
  return undefined
}

function run(cmd: string, args: string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}): string {
  return execFileSync(cmd, args, {
    encoding: 'utf8',
    stdio: ['pipe', 'pipe', 'pipe'],
    ...(options.input !== undefined ? { input: options.input } : {}),
    env: { ...process.env, ...options.env },
  })
}

/**
 * The bridge is up only while lxc-net's dnsmasq runs: after a reboot or when
 * the processes that started it were killed, the bridge and lxc-net's
 * "network_up" mark can outlive dnsmasq, and containers then get no address.
 */
const BRIDGE_SCRIPT = `
pid=$(cat /run/lxc/dnsmasq.pid 2>/dev/null) && [ "$(cat /proc/$pid/comm 2>/dev/null)" = dnsmasq ] && exit 0
rm -f /run/lxc/network_up
exec /usr/libexec/lxc/lxc-net start`

function dnsmasqRunning(): boolean {
  try {
    const pid = readFileSync('/run/lxc/dnsmasq.pid', 'utf8').trim()
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'dnsmasq'
  } catch {
    return false
  }
}

function ensureBridge(): void {
  if (dnsmasqRunning()) return
  run('flock', ['-o', SETUP_LOCK, 'sh', '-c', BRIDGE_SCRIPT], { env: { LXC_DHCP_PING: 'false' } })
}

/**
 * Test files run in parallel and several use containers: the first to come
 * starts the bridge while the others wait on a lock, then find it up (the
 * base container has a lock of its own, in the lxc platform).
 */
const SETUP_LOCK = '/run/lock/guix-ops-test-lxc.lock'

/** What a failed address wait needs to be understood: is DHCP served at all, and what does the container see. */
function addressDiagnostics(exec: TestHost['exec']): string {
  const show = (argv: string[]) => {
    const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' })
    return `${r.stdout ?? ''}${r.stderr ?? ''}`.trim()
  }
  const inside = exec(['sh', '-c', 'ip -4 -br addr; ip -4 route'])
  return [
    '',
    `lxc-net's dnsmasq running: ${dnsmasqRunning()}`,
    `host lxcbr0: ${show(['ip', '-4', '-br', 'addr', 'show', 'lxcbr0'])}`,
    `in the container: ${`${inside.stdout}${inside.stderr}`.trim()}`,
  ].join('\n  ')
}

export interface TestHost {
  name: string
  address: string
  /** Runs a command inside the container as root (for setting up and for looking). */
  exec(argv: string[], input?: string): { code: number | null; stdout: string; stderr: string }
  destroy(): void
}

async function waitFor<T>(
  what: string,
  probe: () => T | undefined,
  timeoutMs = 60_000,
  diagnose: () => string = () => '',
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${diagnose()}`)
    await new Promise((r) => setTimeout(r, 250))
  }
}

/**
 * A fresh Debian host: a clone of the base, started, with `publicKey`
 * authorized for root and the local repository `repoDir` as its only apt source.
 */
export async function startHost(baseName: string, publicKey: string, repoDir: string): Promise<TestHost> {
  const name = `${baseName}-${CHECKOUT}`
  ensureBridge()
  const base = await ensureBase('bookworm', 'amd64', () => undefined)
  spawnSync('lxc-destroy', ['-f', '-n', name])
  run('lxc-copy', ['-n', base, '-N', name, '-s', '-B', 'overlayfs'])
  run('lxc-start', ['-n', name])
  const exec = (argv: string[], input?: string) => {
    const r = spawnSync('lxc-attach', ['-n', name, '--clear-env', '--', ...argv], {
      encoding: 'utf8',
      ...(input !== undefined ? { input } : {}),
      env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' },
    })
    return { code: r.status, stdout: r.stdout, stderr: r.stderr }
  }
  const address = await waitFor(
    `an address for ${name}`,
    () => {
      const out = spawnSync('lxc-info', ['-n', name, '-iH'], { encoding: 'utf8' }).stdout ?? ''
      return out
        .split('\n')
        .find((line) => /^\d+\.\d+\.\d+\.\d+$/.test(line.trim()))
        ?.trim()
    },
    90_000,
    () => addressDiagnostics(exec),
  )
  exec(
    ['sh', '-c', 'mkdir -p /root/.ssh && chmod 700 /root/.ssh && cat > /root/.ssh/authorized_keys'],
    `${publicKey}\n`,
  )
  // Only the local repository: no mirror is ever contacted from the host.
  const tar = execFileSync('tar', ['-C', repoDir, '-c', '.'])
  spawnSync('lxc-attach', ['-n', name, '--clear-env', '--', 'sh', '-c', 'mkdir -p /srv/repo && tar -C /srv/repo -x'], {
    input: tar,
  })
  exec([
    'sh',
    '-c',
    'rm -f /etc/apt/sources.list.d/* && echo "deb [trusted=yes] file:/srv/repo ./" > /etc/apt/sources.list',
  ])
  await waitFor(`sshd in ${name}`, () =>
    exec(['systemctl', 'is-active', 'ssh']).stdout.trim() === 'active' ? true : undefined,
  )
  return {
    name,
    address,
    exec,
    destroy: () => {
      spawnSync('lxc-destroy', ['-f', '-n', name])
    },
  }
}

/** Builds a .deb of `files` (path -> [content, mode]) into `dir`. */
function buildPackage(dir: string, name: string, files: Record<string, [string, string]>): void {
  const root = path.join(dir, 'build', name)
  run('mkdir', ['-p', `${root}/DEBIAN`])
  const write = (file: string, text: string, mode = '0644') => {
    run('mkdir', ['-p', path.dirname(file)])
    run('sh', ['-c', 'cat > "$1" && chmod "$2" "$1"', 'sh', file, mode], { input: text })
  }
  write(
    `${root}/DEBIAN/control`,
    `Package: ${name}\nVersion: 1.0\nArchitecture: all\nMaintainer: guix-ops tests <tests@localhost>\nDescription: a package for guix-ops end-to-end tests\n`,
  )
  for (const [file, [content, mode]] of Object.entries(files)) write(`${root}${file}`, content, mode)
  run('dpkg-deb', ['--build', '--root-owner-group', root, path.join(dir, `${name}_1.0_all.deb`)])
  run('rm', ['-rf', path.join(dir, 'build')])
}

/**
 * A local apt repository with two small packages: `guix-ops-hello`, a
 * service that answers every TCP connection on port 8080 with the contents
 * of /etc/guix-ops-hello.conf (perl-base is in every Debian), and
 * `guix-ops-extra`, a file and nothing else.
 */
export function buildRepository(dir: string): void {
  const server = [
    '#!/usr/bin/perl',
    'use strict; use IO::Socket::INET;',
    'my $server = IO::Socket::INET->new(LocalPort => 8080, Listen => 5, ReuseAddr => 1) or die "listen: $!";',
    'while (my $client = $server->accept) {',
    '  my $body = "";',
    '  if (open(my $fh, "<", "/etc/guix-ops-hello.conf")) { local $/; $body = <$fh>; close $fh }',
    '  print $client $body; close $client;',
    '}',
    '',
  ].join('\n')
  buildPackage(dir, 'guix-ops-hello', {
    '/usr/bin/guix-ops-hello': [server, '0755'],
    '/lib/systemd/system/guix-ops-hello.service': [
      '[Unit]\nDescription=guix-ops test service\n[Service]\nExecStart=/usr/bin/guix-ops-hello\n[Install]\nWantedBy=multi-user.target\n',
      '0644',
    ],
  })
  buildPackage(dir, 'guix-ops-extra', { '/usr/share/guix-ops-extra/README': ['extra\n', '0644'] })
  run('sh', ['-c', 'cd "$1" && dpkg-scanpackages --multiversion . > Packages', 'sh', dir])
}
