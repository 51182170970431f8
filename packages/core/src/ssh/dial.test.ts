// The TCP connection opened before ssh2 loads (connect.ts) is the one that
// logs in: a real sshd on 127.0.0.1 (LogLevel DEBUG1) sees one connection
// per login, none left over; a server that hangs up at once sees one per
// try. A port nothing listens on, or none at all, fails as it always did.
import { createServer, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort, sshdUnavailable, startSshd, type TestSshd } from '../../../../test/support/sshd.js'
import { connectSsh } from './connect.js'
import type { SshTarget } from './target.js'

/** The client ports of the TCP connections sshd accepted, and of those that logged in. */
function seen(log: string): { connected: string[]; loggedIn: Set<string> } {
  const ports = (pattern: RegExp) => [...log.matchAll(pattern)].map((m) => m[1]!)
  return {
    connected: ports(/Connection from 127\.0\.0\.1 port (\d+) on /g),
    loggedIn: new Set(ports(/Accepted publickey for .* port (\d+) /g)),
  }
}

const unavailable = sshdUnavailable()
describe.skipIf(unavailable !== undefined)('the connection a login goes over', () => {
  let sshd: TestSshd
  let target: SshTarget
  beforeAll(async () => {
    sshd = await startSshd({ trace: true })
    target = { host: '127.0.0.1', port: sshd.port, user: sshd.user, identity: sshd.identity, hostKey: sshd.hostKey }
  })
  afterAll(async () => {
    await sshd?.stop()
  })

  it('is opened once per login, and is the one that logs in', async () => {
    for (let i = 0; i < 3; i++) {
      const ssh = await connectSsh(target)
      expect((await ssh.exec(['true'])).code).toBe(0)
      ssh.close()
    }
    await new Promise((r) => setTimeout(r, 200))
    const { connected, loggedIn } = seen(sshd.log())
    expect(loggedIn.size).toBe(3)
    // The one connection that never logged in is startSshd's own check that the port is open.
    expect(connected.filter((port) => !loggedIn.has(port))).toHaveLength(1)
  })

  it('connects once per try to a server that hangs up at once, as ssh2 alone did', async () => {
    let accepted = 0
    const server = createServer((socket: Socket) => {
      accepted++
      socket.resetAndDestroy()
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as { port: number }
    try {
      await expect(connectSsh({ ...target, port })).rejects.toMatchObject({
        code: 'E_SSH_CONNECT',
        message: expect.stringMatching(/5 times/),
      })
      expect(accepted).toBe(5)
    } finally {
      server.close()
    }
  }, 30_000)

  it('fails on a port out of range with the connect error, not an internal one', async () => {
    await expect(connectSsh({ ...target, port: 99_999 })).rejects.toMatchObject({ code: 'E_SSH_CONNECT' })
  })

  it('fails on a port nothing listens on with the error it always gave', async () => {
    const port = await freePort()
    await expect(connectSsh({ ...target, port })).rejects.toMatchObject({ code: 'E_SSH_CONNECT' })
  })
})
