// A tiny inetd for tests: listens on 127.0.0.1 (a free port, printed on
// stdout) and runs the command given after `--` for each connection, with
// the connection as its stdin and stdout. A process of its own, so it keeps
// serving while a test waits on a synchronous child (the CLI under test).
// Usage: node inetd.mjs -- COMMAND [ARG...]
import { spawn } from 'node:child_process'
import { createServer } from 'node:net'

const command = process.argv.slice(process.argv.indexOf('--') + 1)
const server = createServer((socket) => {
  const child = spawn(command[0], command.slice(1), { stdio: ['pipe', 'pipe', 'ignore'] })
  socket.pipe(child.stdin).on('error', () => socket.destroy())
  child.stdout.pipe(socket)
  socket.on('error', () => child.kill('SIGKILL'))
  socket.on('close', () => child.kill('SIGTERM'))
  child.on('exit', () => socket.end())
})
server.listen(0, '127.0.0.1', () => console.log(server.address().port))
process.on('SIGTERM', () => process.exit(0))
