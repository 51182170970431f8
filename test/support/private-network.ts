/**
 * A private network for jump-host tests: a network namespace of its own
 * (only loopback), and an OpenSSH jump host that runs inside it but is
 * reachable from here. What the jump host reaches at 127.0.0.1:PORT is a
 * server inside the namespace; what this machine reaches at the same
 * address is another one. That is how a machine behind a jump host looks
 * when its address means something else from where guix-ops runs.
 * Nothing on the machine running the tests is changed (root is needed).
 */
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { keygen, type PrivateNetwork, SSHD, sshdConfig, type TestSshd } from './sshd.js'

const INETD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'inetd.mjs')

/** A new network namespace, held open by a sleeping process until `stop`. */
export async function startPrivateNetwork(): Promise<PrivateNetwork> {
  const holder = spawn('unshare', ['--net', '--', 'sh', '-c', 'ip link set lo up && echo up && exec sleep infinity'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  await new Promise<void>((resolve, reject) => {
    holder.stdout.on('data', (d) => {
      output += d
      if (output.includes('up\n')) resolve()
    })
    holder.stderr.on('data', (d) => {
      output += d
    })
    holder.once('exit', (code) => reject(new Error(`unshare --net exited with ${code}: ${output}`)))
  })
  return {
    run: (argv) => ['nsenter', '-t', String(holder.pid), '-n', '--', ...argv],
    stop: async () => {
      if (holder.exitCode !== null) return
      const exited = new Promise((resolve) => holder.once('exit', resolve))
      holder.kill('SIGKILL')
      await exited
    },
  }
}

/**
 * An sshd inside `network`, reachable from here on 127.0.0.1:port: each
 * connection to that port starts `sshd -i` (inetd mode) inside the
 * namespace, so what it forwards to goes to the namespace's own loopback.
 * It logs every connection to `sshd.log`.
 */
export async function startJumpSshd(network: PrivateNetwork): Promise<TestSshd> {
  const dir = mkdtempSync(path.join(tmpdir(), 'guix-ops-jump-sshd-'))
  keygen(path.join(dir, 'host_ed25519'))
  keygen(path.join(dir, 'client_ed25519'))
  writeFileSync(path.join(dir, 'authorized_keys'), readFileSync(path.join(dir, 'client_ed25519.pub')))
  const config = path.join(dir, 'sshd_config')
  const logFile = path.join(dir, 'sshd.log')
  writeFileSync(config, sshdConfig(dir, 22, { verbose: true }))
  writeFileSync(logFile, '')
  const inetd = spawn(process.execPath, [INETD, '--', ...network.run([SSHD, '-i', '-E', logFile, '-f', config])], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const port = await new Promise<number>((resolve, reject) => {
    inetd.stdout.once('data', (d) => resolve(Number(String(d).trim())))
    inetd.once('exit', (code) => reject(new Error(`the jump host's listener exited with ${code}`)))
  })
  const pub = () => readFileSync(path.join(dir, 'host_ed25519.pub'), 'utf8').trim().split(' ').slice(0, 2).join(' ')
  const jump: TestSshd = {
    port,
    dir,
    hostKey: pub(),
    identity: path.join(dir, 'client_ed25519'),
    user: (process.env.USER ?? spawnSync('id', ['-un'], { encoding: 'utf8' }).stdout.trim()) || 'root',
    log: () => readFileSync(logFile, 'utf8'),
    // The listener's: this server has no private mounts, so it sees what this machine sees.
    pid: () => inetd.pid!,
    dropConnections: () => {
      if (inetd.pid) spawnSync('pkill', ['-KILL', '-P', String(inetd.pid)])
    },
    // sshd -i reads its host key for every connection: a new key file is a new key from now on.
    rotateHostKey: async () => {
      rmSync(path.join(dir, 'host_ed25519'), { force: true })
      rmSync(path.join(dir, 'host_ed25519.pub'), { force: true })
      keygen(path.join(dir, 'host_ed25519'))
      jump.hostKey = pub()
    },
    stop: async () => {
      if (inetd.exitCode !== null) return
      if (inetd.pid) spawnSync('pkill', ['-KILL', '-P', String(inetd.pid)])
      const exited = new Promise((resolve) => inetd.once('exit', resolve))
      inetd.kill('SIGTERM')
      await exited
    },
  }
  return jump
}
