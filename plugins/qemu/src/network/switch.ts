/**
 * The private network's switch: a small process that QEMU's `-netdev stream`
 * backends connect to over a unix socket. Frames arrive length-prefixed (4
 * bytes, big-endian); the switch learns which connection each source MAC
 * sits behind and forwards unicast there, flooding the rest. Nothing leaves
 * the machine: no tap device, no root, no address outside the VMs.
 *
 * Run as `node switch.js SOCKET`; it exits when its socket file is removed.
 */
import { existsSync, rmSync } from 'node:fs'
import { createServer, type Socket } from 'node:net'

const socketPath = process.argv[2]
if (!socketPath) {
  process.stderr.write('usage: switch.js SOCKET\n')
  process.exit(2)
}

const ports = new Set<Socket>()
const macs = new Map<string, Socket>()

function forward(from: Socket, frame: Buffer): void {
  const destination = frame.subarray(0, 6).toString('hex')
  macs.set(frame.subarray(6, 12).toString('hex'), from)
  const header = Buffer.alloc(4)
  header.writeUInt32BE(frame.length)
  const known = (frame[0]! & 1) === 0 ? macs.get(destination) : undefined
  const targets = known && known !== from ? [known] : [...ports].filter((p) => p !== from)
  for (const port of targets) port.write(Buffer.concat([header, frame]))
}

const server = createServer((port) => {
  ports.add(port)
  let pending = Buffer.alloc(0)
  port.on('data', (chunk) => {
    pending = Buffer.concat([pending, chunk])
    while (pending.length >= 4) {
      const size = pending.readUInt32BE(0)
      if (pending.length < 4 + size) break
      forward(port, pending.subarray(4, 4 + size))
      pending = pending.subarray(4 + size)
    }
  })
  const drop = () => {
    ports.delete(port)
    for (const [mac, p] of macs) if (p === port) macs.delete(mac)
  }
  port.on('close', drop)
  port.on('error', drop)
})

if (existsSync(socketPath)) rmSync(socketPath)
server.listen(socketPath)
// Removing the socket file is how guix-ops stops the switch.
setInterval(() => {
  if (!existsSync(socketPath)) process.exit(0)
}, 2000).unref()
