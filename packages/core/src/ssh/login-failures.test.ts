// Logins that fail before they begin must each fail, and must not hold up
// the logins after them: guix-ops lets only a few logins to one sshd run
// at once (login-slots.ts), so one that never ends would stall the rest.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { keygen } from '../../../../test/support/sshd.js'
import { connectSsh } from './connect.js'
import { LOGINS_PER_SSHD } from './login-slots.js'
import type { SshTarget } from './target.js'

const MORE_THAN_THE_SLOTS = LOGINS_PER_SSHD + 4
const STILL_WAITING = 'still waiting'

/** Each login's outcome (its error, or "still waiting" after `ms`). */
async function outcomes(target: SshTarget, ms: number): Promise<string[]> {
  const logins = Array.from({ length: MORE_THAN_THE_SLOTS }, () =>
    connectSsh(target, { readyTimeout: 3000 }).then(
      (session) => {
        session.close()
        return 'logged in'
      },
      (error: Error) => error.message,
    ),
  )
  const late = new Promise<string>((resolve) => setTimeout(() => resolve(STILL_WAITING), ms).unref())
  return Promise.all(logins.map((login) => Promise.race([login, late])))
}

describe('logins that fail before they begin', () => {
  let dir: string
  let server: Server
  let port: number
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'guix-ops-login-failures-'))
    // Says hello as OpenSSH does, then hangs up: what a client sees of a sshd restarting mid-handshake.
    server = createServer((socket) => socket.end('SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n'))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    port = (server.address() as { port: number }).port
  })
  afterAll(() => {
    server?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('fails each login to a sshd that hangs up mid-handshake, and none waits for ever', async () => {
    const key = path.join(dir, 'plain')
    keygen(key)
    const seen = await outcomes({ host: '127.0.0.1', port, user: 'root', identity: key }, 15_000)
    expect(seen.filter((s) => s === STILL_WAITING)).toEqual([])
    expect(seen.every((s) => s.includes('closed before login'))).toBe(true)
  })

  it('fails each login with a key that cannot be read (one with a passphrase), and none waits for ever', async () => {
    const key = path.join(dir, 'with-passphrase')
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'secret', '-f', key])
    const seen = await outcomes({ host: '127.0.0.1', port, user: 'root', identity: key }, 15_000)
    expect(seen.filter((s) => s === STILL_WAITING)).toEqual([])
    expect(seen.every((s) => /passphrase|[Ee]ncrypted/.test(s))).toBe(true)
  })
})
