/**
 * Opens an SSH connection with the host key pinned: a pinned key must match
 * exactly, or the connection stops with both fingerprints; with no pin, the
 * key seen is handed to `onFirstContact` so the caller records it. A target
 * with a jump host is only ever reached through it, and the jump host's own
 * key is held to the same rule.
 */
import { readFile } from 'node:fs/promises'
import { connect as dialTcp, type Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import type { Client, ConnectConfig } from 'ssh2'
import { isDropBeforeHandshake, markDropped, retryDropped } from './dropped-login.js'
import { connectFailed, type HostRole, hostKeyChanged } from './errors.js'
import { formatHostKey, sameHostKey } from './host-key.js'
import { takeLoginSlot } from './login-slots.js'
import { SshSession } from './session.js'
import { loadSshClient } from './ssh2-client.js'
import type { SshOptions, SshTarget } from './target.js'

type Credentials = Pick<ConnectConfig, 'privateKey' | 'agent'>

async function credentials(target: SshTarget): Promise<Credentials> {
  if (target.identity) return { privateKey: await readFile(target.identity) }
  if (process.env.SSH_AUTH_SOCK) return { agent: process.env.SSH_AUTH_SOCK }
  throw new Error('no identity file given and no SSH agent (SSH_AUTH_SOCK) to ask')
}

/** The key or agent to log in with, or why there is none (reported once the login is set up). */
const readCredentials = (target: SshTarget): Promise<{ given: Credentials } | { error: unknown }> =>
  credentials(target).then(
    (given) => ({ given }),
    (error: unknown) => ({ error }),
  )

/** The sshd a login goes to, as seen from where the connection starts (`via` a jump host, or here). */
const sshdKey = (target: SshTarget, via?: SshTarget) =>
  `${via ? `${via.host}:${via.port} -> ` : ''}${target.host}:${target.port}`

/**
 * Runs `login` (from the TCP connect, or the jump host's forward, to the
 * end of the login) holding one of the sshd's login slots. `login` always
 * settles, so the slot always comes back.
 */
async function withLoginSlot<T>(
  target: SshTarget,
  options: SshOptions,
  role: HostRole,
  via: SshTarget | undefined,
  login: () => Promise<T>,
): Promise<T> {
  let giveBack: () => void
  try {
    giveBack = await takeLoginSlot(sshdKey(target, via), options.signal)
  } catch (error) {
    throw connectFailed(target, options, error, role)
  }
  try {
    return await login()
  } finally {
    giveBack()
  }
}

/** A TCP connection opened ahead of ssh2, and the error it met, if any. */
interface Early {
  socket: Socket
  error?: Error
}

/**
 * The TCP connection to `target`, opened before ssh2 is loaded: sshd's own
 * start for a connection (a fork and a re-exec, ~20 ms on a small host) then
 * runs meanwhile instead of after. None for a port ssh2 reads its own way
 * (none or 0 is 22 to it) or one Node refuses: ssh2 connects and says why.
 */
function dial(target: SshTarget): Early | undefined {
  if (!Number.isInteger(target.port) || target.port < 1 || target.port > 65_535) return undefined
  const early: Early = { socket: dialTcp({ host: target.host, port: target.port }) }
  early.socket.setNoDelay(true)
  early.socket.on('error', (error) => {
    early.error ??= error
  })
  return early
}

/** What ssh2 reports when its own connection fails or ends before the handshake, for one that did so ahead of it. */
function endedEarly({ error }: Early): Error {
  if (error) return Object.assign(error, { level: 'client-socket' })
  return Object.assign(new Error('Connection lost before handshake'), { level: 'protocol' })
}

/**
 * Logs in to `target` (over `sock`, a tunnel, when given). Settles once:
 * on login, on an error, when the connection closes before login, or when
 * the deploy is cancelled; a client left behind by a cancel is ended.
 */
function open(
  target: SshTarget,
  options: SshOptions,
  role: HostRole,
  sock?: Duplex,
): Promise<{ client: Client; hostKey: string }> {
  return new Promise((resolve, reject) => {
    let early: Early | undefined
    void (async () => {
      // The key first: without one, or without an agent, the host is not even dialed.
      const read = await readCredentials(target)
      if ('given' in read && !sock && !options.signal?.aborted) early = dial(target)
      const Client = await loadSshClient()
      const client = new Client()
      let presented: string | undefined
      let refused: Error | undefined
      let settled = false
      const fail = (error: unknown) => {
        early?.socket.destroy()
        client.end()
        if (settled) return
        settled = true
        options.signal?.removeEventListener('abort', onAbort)
        if (refused) return reject(refused)
        const failed = connectFailed(target, options, error, role)
        reject(!presented && isDropBeforeHandshake(error) ? markDropped(failed) : failed)
      }
      const onAbort = () => fail(new Error('aborted'))
      if (options.signal?.aborted) return onAbort()
      options.signal?.addEventListener('abort', onAbort, { once: true })
      client.on('ready', () => {
        if (settled) return void client.end()
        settled = true
        options.signal?.removeEventListener('abort', onAbort)
        if (!target.hostKey && presented) options.onFirstContact?.(presented, target)
        resolve({ client, hostKey: presented ?? '' })
      })
      client.on('error', fail)
      // ssh2 says nothing else when sshd hangs up mid-handshake (a restart, a reboot).
      client.on('close', () => fail(new Error('the connection closed before login')))
      let config: ConnectConfig
      try {
        if ('error' in read) throw read.error
        config = {
          host: target.host,
          port: target.port,
          username: target.user,
          ...read.given,
          readyTimeout: options.readyTimeout ?? 20_000,
          keepaliveInterval: (options.keepaliveSeconds ?? 15) * 1000,
          keepaliveCountMax: 3,
          hostVerifier: (key: Buffer) => {
            presented = formatHostKey(key)
            if (target.hostKey && !sameHostKey(target.hostKey, presented)) {
              refused = hostKeyChanged(target, options, target.hostKey, presented, role)
              return false
            }
            return true
          },
        }
        if (settled) return // cancelled while ssh2 loaded
        // One that failed or ended already is reported as ssh2 reports its own (a drop is tried again).
        if (early?.socket.destroyed) return fail(endedEarly(early))
        const over = sock ?? early?.socket
        if (over) config.sock = over
        // ssh2 throws here, not through 'error', for a key it cannot parse (one with a passphrase, a PuTTY file).
        client.connect(config)
        early = undefined // ssh2's now: it ends it with the client
      } catch (error) {
        fail(error)
        return
      }
      // ssh2 leaves Nagle's algorithm on: every small request would then wait
      // for the server's delayed ACK (40 ms or more). Through a jump host the
      // tunnel rides the jump connection, whose socket gets the same here.
      client.setNoDelay(true)
    })().catch((error: unknown) => {
      early?.socket.destroy()
      reject(error)
    })
  })
}

async function verified(session: SshSession): Promise<SshSession> {
  try {
    await session.verifySudo()
    return session
  } catch (error) {
    session.close()
    throw error
  }
}

/** Connects to `target` (through its jump host, if any) and returns a session for every later step. */
export async function connectSsh(target: SshTarget, options: SshOptions = {}): Promise<SshSession> {
  if (!target.jump) {
    const { client, hostKey } = await withLoginSlot(target, options, 'machine', undefined, () =>
      retryDropped(target, options, 'machine', () => open(target, options, 'machine')),
    )
    return verified(new SshSession(client, target, options, { hostKey }))
  }
  const via = target.jump
  const jump = await withLoginSlot(via, options, 'jump', undefined, () =>
    retryDropped(via, options, 'jump', () => open(via, options, 'jump')),
  )
  try {
    // The target's slot is taken before the jump host connects to it: from then on its sshd counts the login.
    const { client, hostKey } = await withLoginSlot(target, options, 'machine', via, () =>
      retryDropped(target, options, 'machine', async () => {
        const tunnel = await new Promise<Duplex>((resolve, reject) => {
          jump.client.forwardOut('127.0.0.1', 0, target.host, target.port, (error, stream) =>
            error ? reject(connectFailed(target, options, error)) : resolve(stream),
          )
        })
        return open(target, options, 'machine', tunnel)
      }),
    )
    const keys = { hostKey, jumpHostKey: jump.hostKey }
    return await verified(new SshSession(client, target, options, keys, () => jump.client.end()))
  } catch (error) {
    jump.client.end()
    throw error
  }
}
