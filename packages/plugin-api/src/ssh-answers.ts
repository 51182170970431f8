/**
 * Whether an sshd answers at host:port: something that accepts the
 * connection and greets with an SSH version line (RFC 4253, 4.2), not merely
 * an open port (a port forwarder or a booting guest's firewall accepts
 * connections before sshd runs). How platforms tell "running" from "up".
 */
import { connect } from 'node:net'

export function sshAnswers(host: string, port = 22, timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port })
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(timeoutMs, () => done(false))
    socket.on('error', () => done(false))
    socket.on('close', () => done(false))
    socket.once('data', (chunk) => done(chunk.toString('latin1').startsWith('SSH-')))
  })
}
