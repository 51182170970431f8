// Crash-test child: saves the same deployment over and over through the
// store, counting up in `description`, until it is killed.
import { FileStateStore } from '../../../dist/state/index.js'

const [dir, id] = process.argv.slice(2)
const store = new FileStateStore(dir)
const current = await store.find(id)
let n = Number(current?.description?.slice(2) ?? 0)
const base = current ?? {
  kind: 'guix-ops/deployment',
  version: 2,
  id,
  name: 'crash',
  configPath: '/srv/crash/guix-ops.config.ts',
  createdAt: new Date(0).toISOString(),
  updatedAt: new Date(0).toISOString(),
  machines: {},
}
let announced = false
for (;;) {
  n += 1
  // Sizes vary, so a torn write would show as a parse error or a wrong tail.
  const machines = Object.fromEntries(
    Array.from({ length: n % 7 }, (_, i) => [`m${i}`, { platform: 'qemu', system: 'debian' }]),
  )
  await store.write({ ...base, description: `v-${n}`, updatedAt: new Date().toISOString(), machines })
  if (!announced) {
    process.stdout.write('ready\n')
    announced = true
  }
}
