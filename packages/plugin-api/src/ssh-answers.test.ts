import { createServer, type Server } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { sshAnswers } from './ssh-answers.js'

const servers: Server[] = []

/** A server on 127.0.0.1 that greets each connection with `greeting` (or says nothing). */
function greeter(greeting?: string): Promise<number> {
  const server = createServer((socket) => {
    if (greeting) socket.write(greeting)
  })
  servers.push(server)
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
  )
}

afterEach(() => {
  for (const server of servers.splice(0)) server.close()
})

describe('sshAnswers', () => {
  it('is true when the port greets with an SSH version line', async () => {
    expect(await sshAnswers('127.0.0.1', await greeter('SSH-2.0-OpenSSH_9.2\r\n'))).toBe(true)
  })

  it('is false for a port that greets otherwise, or accepts and says nothing in time', async () => {
    expect(await sshAnswers('127.0.0.1', await greeter('HTTP/1.0 400 Bad Request\r\n'))).toBe(false)
    expect(await sshAnswers('127.0.0.1', await greeter(), 200)).toBe(false)
  })

  it('is false when nothing listens', async () => {
    const port = await greeter()
    servers.pop()?.close()
    expect(await sshAnswers('127.0.0.1', port)).toBe(false)
  })
})
