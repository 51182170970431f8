// Lock-race child: tries to take a deployment's lock, holds it a moment, reports.
import { FileStateStore } from '../../../dist/state/index.js'

const [dir, name] = process.argv.slice(2)
try {
  const lock = await new FileStateStore(dir).lock(name, 'lock-race')
  process.stdout.write('won\n')
  await new Promise((resolve) => setTimeout(resolve, 500))
  await lock.release()
} catch (error) {
  process.stdout.write(`${error.code}\n`)
}
