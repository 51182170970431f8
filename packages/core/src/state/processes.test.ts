/**
 * Several processes at once: the lock race and the SIGKILL crash test. The
 * children import the built package (the project's test command builds first).
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'
import { parseStateDocument } from './document.js'
import { FileStateStore } from './file-store.js'

const HERE = path.dirname(fileURLToPath(import.meta.url))
const ID = '6f0a3a52-3d1c-4d5e-9a55-1b2c3d4e5f60'
const temp = () => mkdtemp(path.join(tmpdir(), 'guix-ops-procs-'))

/** A child's stdout, a line at a time. */
function lines(p: ChildProcess): AsyncIterator<string> {
  return createInterface({ input: p.stdout! })[Symbol.asyncIterator]()
}

describe('across processes (needs the built package: npm run build)', () => {
  beforeAll(() => {
    if (!existsSync(path.join(HERE, '../../dist/state/index.js'))) throw new Error('packages/core is not built')
  })

  it('8 processes race for one lock: exactly one wins', async () => {
    const dir = await temp()
    const child = path.join(HERE, 'test-helpers/lock-child.mjs')
    const children = Array.from({ length: 8 }, () => spawn(process.execPath, [child, dir, 'shop']))
    const said = children.map((p) => lines(p))
    await Promise.all(said.map((s) => s.next())) // every child is ready
    for (const p of children) p.stdin!.write('go\n')
    const outcomes = await Promise.all(said.map(async (s) => (await s.next()).value as string))
    expect(outcomes.filter((o) => o === 'won')).toHaveLength(1)
    expect(outcomes.filter((o) => o === 'E_STATE_LOCKED')).toHaveLength(7)
    const winner = children[outcomes.indexOf('won')]!
    winner.stdin!.write('release\n')
    await Promise.all(children.map((p) => (p.exitCode === null ? new Promise((r) => p.on('exit', r)) : undefined)))
    expect(readdirSync(path.join(dir, 'locks'))).toEqual([]) // the winner released it
  })

  it('SIGKILL at any moment leaves the old or the new document, never a broken one', async () => {
    const dir = await temp()
    const child = path.join(HERE, 'test-helpers/save-loop.mjs')
    const file = path.join(dir, 'deployments', `${ID}.json`)
    const store = new FileStateStore(dir)
    let last = 0
    const kills = 40
    for (let i = 0; i < kills; i++) {
      const p = spawn(process.execPath, [child, dir, ID], { stdio: ['ignore', 'pipe', 'inherit'] })
      const exited = new Promise((resolve) => p.on('exit', resolve))
      await new Promise<void>((resolve) => p.stdout.once('data', () => resolve())) // "ready": it has written once
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 40))
      p.kill('SIGKILL')
      await exited
      const state = parseStateDocument(readFileSync(file, 'utf8'), file)
      const n = Number(/^v-(\d+)$/.exec(state.description ?? '')?.[1])
      expect(n).toBeGreaterThan(last) // a version it wrote, never an older one
      expect(Object.keys(state.machines)).toHaveLength(n % 7) // and whole: its machines match its counter
      last = n
      // A killed write may leave its temp file; nothing else, and readers skip it.
      const strays = readdirSync(path.dirname(file)).filter((f) => f !== `${ID}.json`)
      expect(strays.filter((f) => !f.startsWith(`.${ID}.json.tmp-`))).toEqual([])
      const { deployments, problems } = await store.list()
      expect(problems).toEqual([])
      expect(deployments.map((d) => d.description)).toEqual([`v-${n}`])
    }
    expect(last).toBeGreaterThan(kills) // it really was writing between kills
    // 40 Node processes started one after another: ~8 s alone, over 60 s beside the VM suites on 2 cores.
  }, 240_000)
})
