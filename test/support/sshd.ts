/**
 * A throwaway OpenSSH server for tests: its own host key, config and
 * authorized keys in a temp dir, listening on 127.0.0.1 only, on a free
 * port. Nothing on the machine running the tests is changed.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer, Socket } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'

export const SSHD = '/usr/sbin/sshd'

/** Why a real sshd cannot run here, or undefined when it can. */
export function sshdUnavailable(): string | undefined {
  if (!existsSync(SSHD)) return 'openssh-server is not installed (apt-get install openssh-server)'
  if (!existsSync('/run/sshd'))
    return 'sshd needs its privilege separation dir /run/sshd (install -d -m 0755 /run/sshd)'
  if (process.getuid?.() !== 0) return 'the sshd tests run as root (they log in as the user running them)'
  return undefined
}

export interface TestSshd {
  port: number
  dir: string
  /** `ssh-ed25519 AAAA...` of the server. */
  hostKey: string
  /** Path of a client private key the server accepts. */
  identity: string
  user: string
  /** Kills every open session, as a network cut would; the server keeps listening. */
  dropConnections(): void
  /** Makes the server present a new host key from now on (a reinstalled host). */
  rotateHostKey(): Promise<void>
  stop(): Promise<void>
}

function keygen(file: string): void {
  const result = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'guix-ops-test', '-f', file])
  if (result.status !== 0) throw new Error(`ssh-keygen failed: ${result.stderr}`)
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

async function waitForPort(port: number, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 10_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`sshd exited with ${child.exitCode}: ${log()}`)
    const open = await new Promise<boolean>((resolve) => {
      const socket = new Socket()
      socket.once('connect', () => resolve(true)).once('error', () => resolve(false))
      socket.connect(port, '127.0.0.1')
      socket.setTimeout(500, () => resolve(false))
    }).catch(() => false)
    if (open) return
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`sshd did not listen on 127.0.0.1:${port}: ${log()}`)
}

export interface SshdOptions {
  /** Also accept this client key (a private key file; its `.pub` is authorized), e.g. another sshd's. */
  authorize?: string
}

export async function startSshd(options: SshdOptions = {}): Promise<TestSshd> {
  const dir = mkdtempSync(path.join(tmpdir(), 'guix-ops-sshd-'))
  keygen(path.join(dir, 'host_ed25519'))
  keygen(path.join(dir, 'client_ed25519'))
  const authorized = [path.join(dir, 'client_ed25519.pub'), ...(options.authorize ? [`${options.authorize}.pub`] : [])]
  writeFileSync(path.join(dir, 'authorized_keys'), authorized.map((f) => readFileSync(f, 'utf8')).join(''))
  const port = await freePort()
  const config = path.join(dir, 'sshd_config')
  writeFileSync(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${dir}/host_ed25519`,
      `PidFile ${dir}/sshd.pid`,
      `AuthorizedKeysFile ${dir}/authorized_keys`,
      'StrictModes no',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin prohibit-password',
      'UsePAM no',
      'Subsystem sftp internal-sftp',
      'LogLevel ERROR',
      '',
    ].join('\n'),
  )
  let child: ChildProcess
  let output = ''
  const launch = async () => {
    child = spawn(SSHD, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] })
    child.stderr?.on('data', (d) => {
      output += d
    })
    await waitForPort(port, child, () => output)
  }
  const stop = async () => {
    if (child.exitCode !== null) return
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGTERM')
    await exited
  }
  await launch()
  const pub = () => readFileSync(path.join(dir, 'host_ed25519.pub'), 'utf8').trim().split(' ').slice(0, 2).join(' ')
  const server: TestSshd = {
    port,
    dir,
    hostKey: pub(),
    identity: path.join(dir, 'client_ed25519'),
    user: (process.env.USER ?? spawnSync('id', ['-un'], { encoding: 'utf8' }).stdout.trim()) || 'root',
    dropConnections: () => {
      if (child.pid) spawnSync('pkill', ['-KILL', '-P', String(child.pid)])
    },
    rotateHostKey: async () => {
      await stop()
      spawnSync('rm', ['-f', path.join(dir, 'host_ed25519'), path.join(dir, 'host_ed25519.pub')])
      keygen(path.join(dir, 'host_ed25519'))
      await launch()
      server.hostKey = pub()
    },
    stop,
  }
  return server
}
