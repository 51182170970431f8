// A real sshd drops a login it has no room for: past MaxStartups it closes
// the connection before it says which SSH it speaks (sshd_config(5),
// MaxStartups). Other clients' logins, or ours that it has not yet counted
// as done, can fill that room however few logins guix-ops itself opens at
// once (login-slots.ts), so such a drop is tried again, a few times.
import { connect, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { caught } from '../../../../test/support/errors.js'
import { sshdUnavailable, startSshd, type TestSshd } from '../../../../test/support/sshd.js'
import { connectSsh } from './connect.js'
import type { SshTarget } from './target.js'

/** A connection that never logs in: it holds one of sshd's MaxStartups places until closed. */
async function holdStartup(port: number): Promise<Socket> {
  for (;;) {
    const socket = connect(port, '127.0.0.1')
    // sshd has counted the connection once it sends its version line; until
    // it has seen an earlier client go (the test's own wait for its port),
    // it may send "Exceeded MaxStartups" instead and hang up.
    const first = await new Promise<string>((resolve, reject) => {
      socket.once('data', (data) => resolve(String(data)))
      socket.once('error', reject)
    })
    if (first.startsWith('SSH-')) return socket
    socket.destroy()
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

const unavailable = sshdUnavailable()
describe.skipIf(unavailable !== undefined)("logins dropped by sshd's MaxStartups", () => {
  let sshd: TestSshd
  let machine: SshTarget
  beforeAll(async () => {
    // start:rate:full. Once one login is under way, every new one is dropped
    // (rate 100 %); at full, sshd would stop accepting rather than drop.
    sshd = await startSshd({ maxStartups: '1:100:10' })
    machine = { host: '127.0.0.1', port: sshd.port, user: sshd.user, identity: sshd.identity }
  })
  afterAll(async () => {
    await sshd?.stop()
  })

  it('are tried again, and log in once sshd has room', async () => {
    const other = await holdStartup(sshd.port)
    const login = connectSsh(machine)
    setTimeout(() => other.destroy(), 400)
    const session = await login
    try {
      expect((await session.exec(['echo', 'in'])).stdout).toBe('in\n')
    } finally {
      session.close()
    }
  })

  it('stop being tried again when the deploy is cancelled', async () => {
    const other = await holdStartup(sshd.port)
    try {
      const controller = new AbortController()
      setTimeout(() => controller.abort(), 300)
      const started = Date.now()
      const error = await caught(connectSsh(machine, { signal: controller.signal }))
      expect(error.code).toBe('E_SSH_CONNECT')
      expect(error.message).toContain('aborted')
      // Not the 5 tries' few seconds: the pause under way ends with the cancel.
      expect(Date.now() - started).toBeLessThan(1500)
    } finally {
      other.destroy()
    }
  })

  it('fail after a few tries, saying that sshd kept dropping the login', async () => {
    const other = await holdStartup(sshd.port)
    try {
      const started = Date.now()
      const error = await caught(connectSsh(machine))
      expect(error.code).toBe('E_SSH_CONNECT')
      expect(error.message).toMatch(/, 5 times in [\d.]+ s: sshd dropped the login before the SSH handshake/)
      expect(error.message).toContain('MaxStartups')
      // Given up within seconds, not left waiting.
      expect(Date.now() - started).toBeLessThan(15_000)
    } finally {
      other.destroy()
    }
  })
})
