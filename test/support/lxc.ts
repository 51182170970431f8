/**
 * Real Debian hosts for end-to-end tests that deploy to them as `managed`:
 * LXC containers (systemd and sshd inside) made by the lxc platform's own
 * code, each an overlayfs clone of the platform's Debian base (built once,
 * from the Debian mirror this machine's apt sources name, and kept stopped
 * as a cache), so these tests and the platform's share it. The platform
 * boots them and waits for sshd; its `destroy` removes them afterwards. The
 * hosts get their packages only from a local apt repository the test
 * builds, bind-mounted read-only through the platform's `mounts` option:
 * their own apt sources are replaced, so they contact no mirror.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { testContext } from '@guix-ops/platform-test-kit'
import lxc, { type LxcOptions } from '@guix-ops/plugin-lxc'

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

export interface TestHost {
  name: string
  address: string
  /** Runs a command inside the container as root (for setting up and for looking). */
  exec(argv: string[], input?: string): { code: number | null; stdout: string; stderr: string }
  /** Removes the container through the platform (its overlay, leases and private network too). */
  destroy(): Promise<void>
}

/** Destroys every host that was made, for afterAll: one failing does not keep the others. */
export async function destroyHosts(hosts: readonly (TestHost | undefined)[]): Promise<void> {
  await Promise.allSettled(hosts.map((host) => host?.destroy()))
}

async function validOptions(value: unknown): Promise<LxcOptions> {
  const result = await lxc.options['~standard'].validate(value)
  if (result.issues) throw new Error(`lxc options: ${result.issues.map((i) => i.message).join('; ')}`)
  return result.value
}

/**
 * Each host is a deployment of its own to the platform (its own private
 * network, unused here), with an id fixed by this checkout and the host's
 * name: a container left by an interrupted run is made anew by the next.
 */
function hostContext(baseName: string) {
  const id = createHash('sha256').update(`${CHECKOUT}/${baseName}`).digest('hex')
  const machine = baseName.replace(/^guix-ops-/, '')
  return { ...testContext(machine), deployment: { id, name: `e2e-${machine}` } }
}

/**
 * A fresh Debian host: made and booted by the lxc platform, with
 * `publicKey` authorized for root and the local repository `repoDir` as its
 * only apt source.
 */
export async function startHost(baseName: string, publicKey: string, repoDir: string): Promise<TestHost> {
  ensureBridge()
  const ctx = hostContext(baseName)
  const options = await validOptions({ mounts: [{ source: repoDir, target: '/srv/repo', readOnly: true }] })
  const { resource } = await lxc.provision(ctx, { name: ctx.machine, options }).catch((error: Error) => {
    ctx.cleanup()
    throw new Error(`the lxc platform could not make ${baseName}: ${error.message}\n${ctx.messages.join('\n')}`)
  })
  const name = resource.container
  const exec = (argv: string[], input?: string) => {
    const r = spawnSync('lxc-attach', ['-n', name, '--clear-env', '--', ...argv], {
      encoding: 'utf8',
      ...(input !== undefined ? { input } : {}),
      env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' },
    })
    return { code: r.status, stdout: r.stdout, stderr: r.stderr }
  }
  // Only the test's key, and only the local repository: no mirror is ever contacted from the host.
  exec(['sh', '-c', 'cat > /root/.ssh/authorized_keys'], `${publicKey}\n`)
  exec([
    'sh',
    '-c',
    'rm -f /etc/apt/sources.list.d/* && echo "deb [trusted=yes] file:/srv/repo ./" > /etc/apt/sources.list',
  ])
  return {
    name,
    address: resource.managementAddress,
    exec,
    destroy: async () => {
      await lxc.destroy?.(ctx, resource)
      ctx.cleanup()
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
