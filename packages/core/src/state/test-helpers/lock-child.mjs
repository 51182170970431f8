// Lock-race child: says "ready", waits for "go" on stdin, tries to take a
// deployment's lock and reports; a winner holds it until told "release".
// The barrier makes every child try while the winner holds the lock, however
// slowly the processes start on a busy machine.
import { createInterface } from 'node:readline'
import { FileStateStore } from '../../../dist/state/index.js'

const [dir, name] = process.argv.slice(2)
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]()
const next = async () => (await lines.next()).value
process.stdout.write('ready\n')
await next() // go
try {
  const lock = await new FileStateStore(dir).lock(name, 'lock-race')
  process.stdout.write('won\n')
  await next() // release
  await lock.release()
} catch (error) {
  process.stdout.write(`${error.code}\n`)
}
process.exit(0)
