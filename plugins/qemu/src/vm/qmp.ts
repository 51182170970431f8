/**
 * A minimal QMP client: QEMU's JSON control protocol on a unix socket.
 * One connection per request keeps it simple; QEMU accepts them one at a time.
 */
import { createConnection } from 'node:net'
import { lineSplitter } from '@guix-ops/plugin-api'

type QmpReply = { return?: unknown; error?: { class: string; desc: string }; event?: string }

/** Sends `commands` in order after the capabilities handshake; resolves with their replies. */
export function qmp(
  socketPath: string,
  commands: { execute: string; arguments?: Record<string, unknown> }[],
  timeoutMs = 5000,
): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(socketPath)
    const replies: unknown[] = []
    let greeted = false
    let finished = false
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new Error(`QMP on ${socketPath} did not answer within ${timeoutMs} ms`))
    }, timeoutMs)
    const finish = (error?: Error) => {
      finished = true
      clearTimeout(timer)
      socket.end()
      if (error) reject(error)
      else resolve(replies)
    }
    const send = (command: object) => socket.write(`${JSON.stringify(command)}\n`)
    socket.setEncoding('utf8')
    socket.on('error', (error) => finish(error))
    // One JSON message a line; what comes after the answer is not read.
    const messages = lineSplitter((line) => {
      if (finished || !line.trim()) return
      const message = JSON.parse(line) as QmpReply & { QMP?: unknown }
      if (message.QMP) return send({ execute: 'qmp_capabilities' })
      if (message.event) return
      if (message.error) return finish(new Error(`QMP: ${message.error.desc}`))
      if (!greeted) {
        greeted = true
      } else {
        replies.push(message.return)
      }
      if (replies.length === commands.length) return finish()
      send(commands[replies.length]!)
    })
    socket.on('data', (chunk: string) => messages.push(chunk))
  })
}

/** QEMU's run state: `running`, `shutdown` (guest powered off, QEMU kept by -no-shutdown), `paused`... */
export async function queryStatus(socketPath: string): Promise<string> {
  const [reply] = await qmp(socketPath, [{ execute: 'query-status' }])
  return (reply as { status: string }).status
}
