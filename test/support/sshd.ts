/**
 * A throwaway OpenSSH server for tests: its own host key, config and
 * authorized keys in a temp dir, listening on 127.0.0.1 only, on a free
 * port. Nothing on the machine running the tests is changed.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, Socket } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'

export const SSHD = '/usr/sbin/sshd'
const SFTP_SERVER = '/usr/lib/openssh/sftp-server'

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
  /** PID of the sshd: `nsenter -t PID -m` sees its private mounts. */
  pid(): number
  /** What the server logged (with `verbose`, every login it accepted, as "Accepted publickey"). */
  log(): string
  /** Kills every open session, as a network cut would; the server keeps listening. */
  dropConnections(): void
  /** Makes the server present a new host key from now on (a reinstalled host). */
  rotateHostKey(): Promise<void>
  stop(): Promise<void>
}

/** What clients asked of a server, read from its `trace` log. */
export interface RoundTrips {
  /** Logins accepted. */
  connections: number
  /** Commands run (`exec` requests of sessions). */
  commands: number
  /** Files opened for writing over SFTP. */
  uploads: number
}

/** Counts what a `trace` log records. */
export function roundTrips(log: string): RoundTrips {
  const count = (pattern: RegExp) => log.split('\n').filter((line) => pattern.test(line)).length
  return {
    connections: count(/Accepted publickey for /),
    commands: count(/session_input_channel_req: session \d+ req exec/),
    uploads: count(/open "[^"]*" flags [A-Z,]*WRITE/),
  }
}

export function keygen(file: string): void {
  const result = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'guix-ops-test', '-f', file])
  if (result.status !== 0) throw new Error(`ssh-keygen failed: ${result.stderr}`)
}

/** A port of 127.0.0.1 that was free a moment ago: nothing listens on it. */
export function freePort(): Promise<number> {
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
      // Closed at once: an open probe holds the caller's event loop and an sshd child (LoginGraceTime, 2 min).
      const answer = (open: boolean) => {
        socket.destroy()
        resolve(open)
      }
      socket.once('connect', () => answer(true)).once('error', () => answer(false))
      socket.connect(port, '127.0.0.1')
      socket.setTimeout(500, () => answer(false))
    }).catch(() => false)
    if (open) return
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`sshd did not listen on 127.0.0.1:${port}: ${log()}`)
}

/** Mounts each (dir, size) pair given before `--` as a fresh tmpfs, then runs the command after it. */
const PRIVATE_MOUNTS = `while [ "$1" != -- ]; do mount -t tmpfs -o "size=$2,mode=0755" tmpfs "$1" || exit 1; shift 2; done
shift; exec "$@"`

/** With `tmpfs`, the sshd runs in a mount namespace of its own (`unshare -m`) that holds those mounts. */
function withPrivateMounts(argv: string[], options: SshdOptions): string[] {
  const mounts = Object.entries(options.tmpfs ?? {}).flat()
  if (mounts.length === 0) return argv
  return ['unshare', '-m', '--propagation', 'private', '--', 'sh', '-c', PRIVATE_MOUNTS, 'sh', ...mounts, '--', ...argv]
}

export interface SshdOptions {
  /**
   * Directories (path -> size, e.g. '64k') the sshd and its sessions see as
   * fresh tmpfs mounts of their own: a private /var/lib, a small disk to fill.
   * The rest of the filesystem is this machine's own.
   */
  tmpfs?: Record<string, string>
  /** Also accept this client key (a private key file; its `.pub` is authorized), e.g. another sshd's. */
  authorize?: string
  /** Listen on this port rather than a free one (another network namespace may use the same). */
  port?: number
  /** Run in this private network namespace: reachable only from inside it (or through a jump host). */
  network?: PrivateNetwork
  /** Sessions see it as GUIX_OPS_TEST_HOST, so a test can tell which server answered. */
  name?: string
  /** Log every connection (LogLevel VERBOSE) for `log()`. */
  verbose?: boolean
  /**
   * Log every connection, every command a session asks to run and every
   * file opened over SFTP (LogLevel DEBUG1, sftp-server at INFO), for
   * `log()` and `roundTrips()`.
   */
  trace?: boolean
  /** sshd_config's MaxStartups (default 10:30:100): how many logins may be under way before new ones are dropped. */
  maxStartups?: string
}

/** A network namespace of its own, with only a loopback interface. */
export interface PrivateNetwork {
  /** A command line that runs `argv` inside the namespace. */
  run(argv: readonly string[]): string[]
  stop(): Promise<void>
}

/** The lines of an sshd_config for a test server keeping its files in `dir`. */
export function sshdConfig(
  dir: string,
  port: number,
  options: Pick<SshdOptions, 'name' | 'verbose' | 'trace' | 'maxStartups'> & { listen?: string[] } = {},
): string {
  const level = options.verbose ? 'VERBOSE' : 'ERROR'
  return [
    `Port ${port}`,
    ...(options.listen ?? ['127.0.0.1']).map((address) => `ListenAddress ${address}`),
    `HostKey ${dir}/host_ed25519`,
    `PidFile ${dir}/sshd.pid`,
    `AuthorizedKeysFile ${dir}/authorized_keys`,
    'StrictModes no',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PermitRootLogin prohibit-password',
    'UsePAM no',
    // sftp-server's own log goes to the session's stderr: a shell sends it to a file of the test.
    options.trace ? `Subsystem sftp ${SFTP_SERVER} -e -l INFO 2>>${dir}/sftp.log` : 'Subsystem sftp internal-sftp',
    `LogLevel ${options.trace ? 'DEBUG1' : level}`,
    ...(options.name ? [`SetEnv GUIX_OPS_TEST_HOST=${options.name}`] : []),
    ...(options.maxStartups ? [`MaxStartups ${options.maxStartups}`] : []),
    '',
  ].join('\n')
}

/** Waits for sshd's pid file, written once it listens (for a server no test can reach directly). */
async function waitForPidFile(file: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 10_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`sshd exited with ${child.exitCode}: ${log()}`)
    if (existsSync(file) && readFileSync(file, 'utf8').trim() === String(child.pid)) return
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`sshd did not start: ${log()}`)
}

export async function startSshd(options: SshdOptions = {}): Promise<TestSshd> {
  const dir = mkdtempSync(path.join(tmpdir(), 'guix-ops-sshd-'))
  keygen(path.join(dir, 'host_ed25519'))
  keygen(path.join(dir, 'client_ed25519'))
  const authorized = [path.join(dir, 'client_ed25519.pub'), ...(options.authorize ? [`${options.authorize}.pub`] : [])]
  writeFileSync(path.join(dir, 'authorized_keys'), authorized.map((f) => readFileSync(f, 'utf8')).join(''))
  const port = options.port ?? (await freePort())
  const config = path.join(dir, 'sshd_config')
  writeFileSync(config, sshdConfig(dir, port, options))
  const logFile = path.join(dir, 'sshd.log')
  let child: ChildProcess
  let output = ''
  const launch = async () => {
    // A verbose server logs to a file: read at once, even while the test waits on a synchronous child.
    const toFile = options.verbose || options.trace
    const argv = withPrivateMounts([SSHD, '-D', ...(toFile ? ['-E', logFile] : ['-e']), '-f', config], options)
    const [command, ...rest] = options.network ? options.network.run(argv) : argv
    rmSync(path.join(dir, 'sshd.pid'), { force: true })
    child = spawn(command!, rest, { stdio: ['ignore', 'ignore', 'pipe'] })
    child.stderr?.on('data', (d) => {
      output += d
    })
    if (options.network) await waitForPidFile(path.join(dir, 'sshd.pid'), child, () => output)
    else await waitForPort(port, child, () => output)
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
    log: () =>
      output +
      [logFile, path.join(dir, 'sftp.log')].map((f) => (existsSync(f) ? readFileSync(f, 'utf8') : '')).join(''),
    user: (process.env.USER ?? spawnSync('id', ['-un'], { encoding: 'utf8' }).stdout.trim()) || 'root',
    pid: () => child.pid!,
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
