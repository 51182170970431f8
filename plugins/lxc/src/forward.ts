/**
 * The port forwarder of one machine: listens on 127.0.0.1 at each host port
 * and relays every connection to the container's port, at the address the
 * container has on lxc-net's bridge now (asked of lxc-info per connection,
 * since DHCP may give another after a restart).
 *
 * Run as `node forward.js PIDFILE CONTAINER HOSTPORT:PORT...`; it says
 * `listening` once every port is bound, and exits when PIDFILE is removed.
 */
import { existsSync } from 'node:fs'
import { connect, createServer } from 'node:net'

const [pidFile, container, ...pairs] = process.argv.slice(2)
if (!pidFile || !container || pairs.length === 0) {
  process.stderr.write('usage: forward.js PIDFILE CONTAINER HOSTPORT:PORT...\n')
  process.exit(2)
}

async function address(): Promise<string | undefined> {
  const { execa } = await import('execa')
  const result = await execa('lxc-info', ['-n', container!, '-iH'], { reject: false })
  if (result.failed) return undefined
  return result.stdout.split('\n').find((l) => /^\d+\.\d+\.\d+\.\d+$/.test(l.trim()) && !l.startsWith('10.78.0.'))
}

function listen(hostPort: number, port: number): Promise<void> {
  const server = createServer(async (client) => {
    client.pause()
    const host = await address()
    if (!host) return client.destroy()
    const upstream = connect({ host: host.trim(), port }, () => client.resume())
    client.pipe(upstream).pipe(client)
    const end = () => {
      client.destroy()
      upstream.destroy()
    }
    client.on('error', end)
    upstream.on('error', end)
  })
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(hostPort, '127.0.0.1', () => resolve())
  })
}

try {
  for (const pair of pairs) {
    const [hostPort, port] = pair.split(':').map(Number)
    await listen(hostPort!, port!)
  }
  process.stdout.write('listening\n')
} catch (error) {
  process.stdout.write(`${(error as Error).message}\n`)
  process.exit(1)
}
setInterval(() => {
  if (!existsSync(pidFile)) process.exit(0)
}, 2000).unref()
