// The bench's hosts: one sshd per loopback address (127.0.0.N, one port for
// all), each under `unshare -m` with a tmpfs of its own on /var/lib (and /root), so what
// one tool leaves on one host is seen by no other host. The bench reads and
// clears a host's /var/lib through /proc/PID/root, which resolves paths in
// that sshd's mount namespace, and counts a host's CPU from that sshd's
// process tree.
import { spawn, spawnSync } from 'node:child_process'
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createServer, Socket } from 'node:net'
import path from 'node:path'
import { keygen, sshdConfig } from '../../test/support/sshd.ts'
import { anyChildren, treeCpuMs } from './measure.mjs'

const SSHD = '/usr/sbin/sshd'
// Each host also gets a /root of its own with Debian's default shell files, as a fresh host
// has: this machine's own root dotfiles (a version manager's shell hooks, say) would run on
// every remote command of every tool and time those instead.
const MOUNT_AND_RUN = `mount -t tmpfs -o size=64m,mode=0755 tmpfs /var/lib || exit 1
mount -t tmpfs -o size=4m,mode=0700 tmpfs /root || exit 1
cp /etc/skel/.bashrc /etc/skel/.profile /root/ || exit 1
exec "$@"`

/** Why hosts cannot be started here, or undefined. */
export function hostsUnavailable() {
  if (process.getuid?.() !== 0) return 'the bench runs as root (sshd under unshare -m, logins as root)'
  if (spawnSync('sh', ['-c', `command -v unshare && test -x ${SSHD}`]).status !== 0) return 'needs unshare and sshd'
  return undefined
}

function portFreeOn(address, port) {
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(false))
    server.listen(port, address, () => server.close(() => resolve(true)))
  })
}

/** A port free on every address (another process may hold 0.0.0.0:P or 127.0.0.N:P). */
export async function freePortOn(addresses) {
  for (let tries = 0; tries < 50; tries++) {
    const port = 20000 + Math.floor(Math.random() * 30000)
    const free = await Promise.all(addresses.map((a) => portFreeOn(a, port)))
    if (free.every(Boolean)) return port
  }
  throw new Error('no port free on all bench addresses')
}

async function waitListening(address, port, child) {
  const deadline = Date.now() + 10_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`sshd on ${address}:${port} exited with ${child.exitCode}`)
    const open = await new Promise((resolve) => {
      const socket = new Socket()
      // Closed at once: left open, it holds a pre-auth sshd (and this process) for LoginGraceTime.
      // Our own SSH banner first, or sshd logs an error for the connection.
      socket.once('connect', () => {
        socket.end('SSH-2.0-bench-probe\r\n')
        resolve(true)
      })
      socket.once('error', () => resolve(false))
      socket.setTimeout(500, () => {
        socket.destroy()
        resolve(false)
      })
      socket.connect(port, address)
    })
    if (open) return
    await new Promise((r) => setTimeout(r, 30))
  }
  throw new Error(`sshd did not listen on ${address}:${port}`)
}

/** Starts `n` hosts; the client key `identity` (with its .pub) logs in as root on each. */
export async function startHosts(work, n, identity, firstOctet = 10) {
  const addresses = Array.from(
    { length: n },
    (_, i) => `127.0.${Math.floor((firstOctet + i) / 250)}.${((firstOctet + i) % 250) + 2}`,
  )
  const port = await freePortOn(addresses)
  const authorized = path.join(work, 'authorized_keys')
  writeFileSync(authorized, readFileSync(`${identity}.pub`))
  const hosts = []
  for (const [i, address] of addresses.entries()) {
    const dir = path.join(work, `host${i}`)
    spawnSync('mkdir', ['-p', dir])
    keygen(path.join(dir, 'host_ed25519'))
    const config = sshdConfig(dir, port, { listen: [address] }).replace(
      `AuthorizedKeysFile ${dir}/authorized_keys`,
      `AuthorizedKeysFile ${authorized}`,
    )
    writeFileSync(path.join(dir, 'sshd_config'), config)
    const argv = [
      '-m',
      '--propagation',
      'private',
      '--',
      'sh',
      '-c',
      MOUNT_AND_RUN,
      'sh',
      SSHD,
      '-D',
      '-e',
      '-f',
      path.join(dir, 'sshd_config'),
    ]
    const child = spawn('unshare', argv, { stdio: ['ignore', 'ignore', 'inherit'] })
    hosts.push({
      address,
      port,
      child,
      hostKey: readFileSync(path.join(dir, 'host_ed25519.pub'), 'utf8').trim().split(' ').slice(0, 2).join(' '),
    })
  }
  // A bench that fails halfway leaves no sshd behind.
  process.once('exit', () => {
    for (const h of hosts) h.child.kill()
  })
  await Promise.all(hosts.map((h) => waitListening(h.address, h.port, h.child)))
  // unshare and sh exec, so the pid spawned is the sshd listener's: hostsCpuMs counts from it.
  for (const h of hosts)
    if (readFileSync(`/proc/${h.child.pid}/comm`, 'utf8').trim() !== 'sshd')
      throw new Error(`${h.address}: pid ${h.child.pid} is not sshd`)
  return hosts
}

/**
 * CPU (ms) the hosts have used so far: each sshd listener, its connections' sshd and all they
 * ran. Read once the listeners have no child left (a connection's sshd may end a few ms after
 * its client), or after `settleMs`: connections kept open (ControlPersist) count as they are.
 */
export async function hostsCpuMs(hosts, settleMs = 500) {
  const listeners = hosts.map((h) => h.child.pid)
  const deadline = Date.now() + settleMs
  while (anyChildren(listeners) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10))
  return treeCpuMs(listeners)
}

/** The host's own /var/lib, seen from here. */
export const varLib = (host) => `/proc/${host.child.pid}/root/var/lib`

/** Empties a host's /var/lib: what every tool left there (files and guix-ops' records) goes. */
export function resetHost(host) {
  for (const entry of readdirSync(varLib(host)))
    rmSync(path.join(varLib(host), entry), { recursive: true, force: true })
}

/**
 * Checks that `host` holds `site` (a map of remote path -> { content, mode },
 * and the directory's own mode): throws naming the host and the difference.
 */
export function verifyHost(host, site) {
  const local = (p) => path.join(varLib(host), p.replace(/^\/var\/lib\//, ''))
  const dirMode = statSync(local(site.dir)).mode & 0o7777
  if (dirMode !== site.dirMode) throw new Error(`${host.address}: ${site.dir} has mode ${dirMode.toString(8)}`)
  for (const [remote, want] of Object.entries(site.files)) {
    const stat = statSync(local(remote))
    if ((stat.mode & 0o7777) !== want.mode)
      throw new Error(
        `${host.address}: ${remote} has mode ${(stat.mode & 0o7777).toString(8)}, not ${want.mode.toString(8)}`,
      )
    if (!readFileSync(local(remote)).equals(Buffer.from(want.content)))
      throw new Error(`${host.address}: ${remote} differs`)
  }
}

export async function stopHosts(hosts) {
  await Promise.all(
    hosts.map(
      (h) =>
        new Promise((resolve) => {
          if (h.child.exitCode !== null) return resolve()
          h.child.once('exit', resolve)
          h.child.kill('SIGTERM')
        }),
    ),
  )
}
