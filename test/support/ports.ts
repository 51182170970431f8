/** Loopback ports for tests: one nothing listens on, and whether something listens on one. */
import { connect, createServer } from 'node:net'

/** A port on 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

/** True when something accepts a connection at 127.0.0.1:port. */
export const listening = (port: number): Promise<boolean> =>
  new Promise<boolean>((resolve) => {
    const socket = connect({ host: '127.0.0.1', port })
    socket.on('connect', () => resolve(!!socket.destroy()))
    socket.on('error', () => resolve(false))
  })
