/**
 * The real hosts behind the endpoint's instances: each is an OpenSSH server
 * on its own loopback address (127.0.0.N, port 22), in a mount namespace of
 * its own where /var/lib is the instance's own directory (its "root volume":
 * kept across stop and start, gone with terminate). Like a cloud image with
 * cloud-init, it authorizes the key pair the instance was launched with and
 * prints its host key on the console.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer, Socket } from 'node:net'
import path from 'node:path'
import { keygen, SSHD, sshdConfig } from '../sshd.js'

export interface InstanceHost {
  /** Starts the host (again) listening on these addresses; resolves once it answers. */
  boot(addresses: string[]): Promise<void>
  halt(): Promise<void>
  /** `ssh-ed25519 AAAA...`, made on first boot and kept. */
  hostKey(): string
  pid(): number | undefined
}

/** Binds /var/lib to the instance's own dir, hides the machine's systemd, then runs sshd. */
const IN_OWN_MOUNTS = `mount --bind "$1" /var/lib || exit 1
if [ -d /run/systemd ]; then mount -t tmpfs -o size=1m tmpfs /run/systemd || exit 1; fi
shift; exec "$@"`

function answers(address: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket()
    const done = (open: boolean) => {
      socket.destroy()
      resolve(open)
    }
    socket.setTimeout(500, () => done(false))
    socket.once('connect', () => done(true)).once('error', () => done(false))
    socket.connect(22, address)
  })
}

/** Whether nothing listens on address:22 yet (another test's host may hold it). */
export function addressFree(address: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(false))
    server.listen(22, address, () => server.close(() => resolve(true)))
  })
}

/** A real host for an instance, keeping its files in `dir` and authorizing `publicKey`. */
export function sshdHost(dir: string, publicKey: string | undefined): InstanceHost {
  mkdirSync(path.join(dir, 'var-lib'), { recursive: true })
  if (!existsSync(path.join(dir, 'host_ed25519'))) keygen(path.join(dir, 'host_ed25519'))
  writeFileSync(path.join(dir, 'authorized_keys'), publicKey ? `${publicKey}\n` : '', { mode: 0o600 })
  let child: ChildProcess | undefined
  let output = ''
  return {
    async boot(addresses) {
      writeFileSync(path.join(dir, 'sshd_config'), sshdConfig(dir, 22, { listen: addresses }))
      const argv = ['-m', '--propagation', 'private', '--', 'sh', '-c', IN_OWN_MOUNTS, 'sh', path.join(dir, 'var-lib')]
      child = spawn('unshare', [...argv, SSHD, '-D', '-e', '-f', path.join(dir, 'sshd_config')], {
        stdio: ['ignore', 'ignore', 'pipe'],
      })
      child.stderr?.on('data', (d) => {
        output += d
      })
      const deadline = Date.now() + 10_000
      while (!(await answers(addresses[0]!))) {
        if (child.exitCode !== null || Date.now() > deadline) throw new Error(`instance sshd did not start: ${output}`)
        await new Promise((r) => setTimeout(r, 50))
      }
    },
    async halt() {
      // Gone already (exitCode, or signalCode when a signal ended it): its exit event has passed.
      if (!child || child.exitCode !== null || child.signalCode !== null) return
      const exited = new Promise((resolve) => child!.once('exit', resolve))
      child.kill('SIGTERM')
      await exited
    },
    hostKey: () => readFileSync(path.join(dir, 'host_ed25519.pub'), 'utf8').trim().split(' ').slice(0, 2).join(' '),
    pid: () => child?.pid,
  }
}

const fingerprint = (key: string): string =>
  createHash('sha256')
    .update(Buffer.from(key.split(' ')[1] ?? '', 'base64'))
    .digest('base64')
    .replace(/=+$/, '')

/** What cloud-init prints on the serial console once it has made the host keys. */
export function cloudInitConsole(hostKey: string, hostname: string): string {
  return [
    `[   12.345678] cloud-init[512]: Cloud-init v. 22.4.2 running 'modules:config'`,
    '-----BEGIN SSH HOST KEY FINGERPRINTS-----',
    `256 SHA256:${fingerprint(hostKey)} root@${hostname} (ED25519)`,
    '-----END SSH HOST KEY FINGERPRINTS-----',
    '-----BEGIN SSH HOST KEY KEYS-----',
    `${hostKey} root@${hostname}`,
    '-----END SSH HOST KEY KEYS-----',
    `[   13.456789] cloud-init[601]: Cloud-init v. 22.4.2 finished. Datasource DataSourceEc2Local.`,
    '',
  ].join('\n')
}
