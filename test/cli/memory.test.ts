// What a command that reads a config loads, where it costs memory (see
// "Peak RSS of guix-ops" in bench/README.md). A TypeScript config is loaded
// by Node's own type stripping when it uses only syntax Node can erase:
// Babel (through jiti) is not loaded. Other TypeScript still loads through
// jiti, and a config runs once either way. zod is loaded once, from the one
// file the engine's build bundles it into, by the engine and the plugins
// alike: none of its ~95 files in node_modules, and no CommonJS copy. V8's young
// generation is kept at its initial size. A JSON or YAML config starts no
// watchdog thread.
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { guixOps, tempDir } from '../support/cli.js'

/**
 * Node's module hooks see every file loaded; worker threads started are
 * counted. The files, the threads and V8's young generation are written on exit.
 */
const COUNTER = `
import { registerHooks, syncBuiltinESMExports } from 'node:module'
import { writeFileSync } from 'node:fs'
import { getHeapSpaceStatistics } from 'node:v8'
import threads from 'node:worker_threads'
const files = new Set()
let workers = 0
let running = 0
registerHooks({ load(url, context, next) { if (url.startsWith('file:')) files.add(url); return next(url, context) } })
threads.Worker = class extends threads.Worker {
  constructor(...args) { super(...args); workers += 1; running += 1; this.once('exit', () => { running -= 1 }) }
}
syncBuiltinESMExports()
process.on('exit', () => {
  const young = getHeapSpaceStatistics().find((space) => space.space_name === 'new_space').space_size
  writeFileSync(process.env.LOADED_FILES, JSON.stringify({ files: [...files], young, workers, running }))
})
`

interface Loaded {
  loaded: string[]
  young: number
  /** Worker threads started, and those still running at exit. */
  workers: number
  running: number
}

/** `guix-ops create` of the config `name` holding `source`, and what it loaded. */
function createFrom(name: string, source: string): Loaded {
  const dir = tempDir()
  const file = path.join(dir, name)
  writeFileSync(file, source)
  const counter = path.join(dir, 'counter.mjs')
  writeFileSync(counter, COUNTER)
  const out = path.join(dir, 'loaded.json')
  const env = { NODE_OPTIONS: `--import=${counter}`, LOADED_FILES: out }
  const result = guixOps(['create', file], { stateDir: tempDir(), env })
  expect(result.code, result.stderr).toBe(0)
  expect(result.stderr).not.toMatch(/warning/i)
  const { files, young, workers, running } = JSON.parse(readFileSync(out, 'utf8')) as Loaded & { files: string[] }
  return { loaded: files, young, workers, running }
}

/** A config that notes each time it runs in `runs`, with `extra` TypeScript before its export. */
function config(runs: string, extra: string): string {
  return `import { appendFileSync } from 'node:fs'
import { defineDeployment, type Deployment } from '@guix-ops/plugin-api'
${extra}
appendFileSync(${JSON.stringify(runs)}, 'ran\\n')
const shop: Deployment = defineDeployment({ name: 'shop', machines: { db: { platform: { type: 'qemu' }, system: { type: 'debian' } } } })
export default shop
`
}

function create(extra: string): Loaded & { runs: string } {
  const runs = path.join(tempDir(), 'runs.log')
  const loaded = createFrom('guix-ops.config.ts', config(runs, extra))
  return { ...loaded, runs: readFileSync(runs, 'utf8') }
}

const babel = (files: string[]) => files.filter((f) => /\/node_modules\/jiti\//.test(f))

describe('TypeScript configs', () => {
  // `create` reads the config more than once; each read runs it once, on either path.
  const plainRuns = () => create('').runs

  it('load without Babel when their types can be erased', () => {
    const { runs, loaded } = create('interface Sized { size: number }\nconst small: Sized = { size: 1 }')
    expect(babel(loaded)).toEqual([])
    expect(runs).toBe(plainRuns())
  })

  it('load through jiti when they use syntax Node cannot erase (an enum), not run before it', () => {
    const { runs, loaded } = create('enum Size { Small = 1 }\nconst small = Size.Small')
    expect(babel(loaded).length).toBeGreaterThan(0)
    expect(runs).toBe(plainRuns())
  })
})

describe('zod', () => {
  it('is loaded once, from its bundled file, by the engine and the plugins alike', () => {
    const { loaded } = create('')
    expect(loaded.filter((f) => /\/node_modules\/zod\//.test(f))).toEqual([])
    expect(loaded.filter((f) => /\/packages\/core\/bundle\/zod\.js$/.test(f))).toHaveLength(1)
  })
})

describe("V8's young generation", () => {
  it('stays at its initial size (V8 would grow it to 16-32 MB and keep it)', () => {
    const { young } = create('')
    expect(young / 2 ** 20).toBeLessThanOrEqual(4)
  })
})

describe('the config watchdog thread', () => {
  const machines = { db: { platform: { type: 'qemu' }, system: { type: 'debian' } } }

  it('is not started for a JSON or YAML config, which runs no code (it costs ~12 MB)', () => {
    expect(createFrom('guix-ops.config.json', JSON.stringify({ name: 'shop', machines })).workers).toBe(0)
    const yaml = 'name: shop\nmachines:\n  db:\n    platform: { type: qemu }\n    system: { type: debian }\n'
    expect(createFrom('guix-ops.config.yaml', yaml).workers).toBe(0)
  })

  it('is not started for a TypeScript config of plain data: its code runs only in calls bounded one by one', () => {
    expect(create('').workers).toBe(0)
    const withFunction = `import { defineDeployment } from '@guix-ops/plugin-api'
export default defineDeployment({ name: 'shop', machines: { db: { platform: { type: 'qemu' }, system: { type: 'debian' } },
  web: ({ db }) => ({ platform: { type: 'qemu' }, system: { type: 'debian', hostname: String(db.address) } }) } })
`
    expect(createFrom('guix-ops.config.ts', withFunction).workers).toBe(0)
  })

  it('is started for a TypeScript config whose value could run code later (a getter), and ended once it has run', () => {
    const getter = `export default { name: 'shop', get machines() { return { db: { platform: { type: 'qemu' }, system: { type: 'debian' } } } } }
`
    const { workers, running } = createFrom('guix-ops.config.ts', getter)
    expect(workers).toBeGreaterThan(0)
    expect(running).toBe(0)
  })
})
