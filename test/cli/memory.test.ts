// What a command that reads a config loads, where it costs memory (see
// "Peak RSS of guix-ops" in bench/README.md). A TypeScript config is loaded
// by Node's own type stripping when it uses only syntax Node can erase:
// Babel (through jiti) is not loaded. Other TypeScript still loads through
// jiti, and a config runs once either way. zod is loaded once, as the ES
// module the plugins import, not a second time as CommonJS. V8's young
// generation is kept at its initial size.
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { guixOps, tempDir } from '../support/cli.js'

/** Node's module hooks see every file loaded; the list and V8's young generation are written on exit. */
const COUNTER = `
import { registerHooks } from 'node:module'
import { writeFileSync } from 'node:fs'
import { getHeapSpaceStatistics } from 'node:v8'
const files = new Set()
registerHooks({ load(url, context, next) { if (url.startsWith('file:')) files.add(url); return next(url, context) } })
process.on('exit', () => {
  const young = getHeapSpaceStatistics().find((space) => space.space_name === 'new_space').space_size
  writeFileSync(process.env.LOADED_FILES, JSON.stringify({ files: [...files], young }))
})
`

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

function create(extra: string): { runs: string; loaded: string[]; young: number } {
  const dir = tempDir()
  const runs = path.join(dir, 'runs.log')
  const file = path.join(dir, 'guix-ops.config.ts')
  writeFileSync(file, config(runs, extra))
  const counter = path.join(dir, 'counter.mjs')
  writeFileSync(counter, COUNTER)
  const out = path.join(dir, 'loaded.json')
  const env = { NODE_OPTIONS: `--import=${counter}`, LOADED_FILES: out }
  const result = guixOps(['create', file], { stateDir: tempDir(), env })
  expect(result.code, result.stderr).toBe(0)
  expect(result.stderr).not.toMatch(/warning/i)
  const { files, young } = JSON.parse(readFileSync(out, 'utf8')) as { files: string[]; young: number }
  return { runs: readFileSync(runs, 'utf8'), loaded: files, young }
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
  it('is loaded once, as the ES module the plugins import', () => {
    const { loaded } = create('')
    const zod = loaded.filter((f) => /\/node_modules\/zod\//.test(f))
    expect(zod.length).toBeGreaterThan(0)
    expect(zod.filter((f) => f.endsWith('.cjs'))).toEqual([])
  })
})

describe("V8's young generation", () => {
  it('stays at its initial size (V8 would grow it to 16-32 MB and keep it)', () => {
    const { young } = create('')
    expect(young / 2 ** 20).toBeLessThanOrEqual(4)
  })
})
