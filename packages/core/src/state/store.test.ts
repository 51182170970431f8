import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { hostname, tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'
import { caught } from '../../../../test/support/errors.js'
import { writeFileAtomic } from './atomic-write.js'
import { parseStateDocument } from './document.js'
import { FileStateStore } from './file-store.js'
import { resolveStateDir } from './state-dir.js'
import { type DeploymentState, STATE_KIND, STATE_VERSION } from './types.js'

const HERE = path.dirname(fileURLToPath(import.meta.url))
const ID = '6f0a3a52-3d1c-4d5e-9a55-1b2c3d4e5f60'
const temp = () => mkdtempSync(path.join(tmpdir(), 'guix-ops-state-'))

function doc(overrides: Partial<DeploymentState> = {}): DeploymentState {
  return {
    kind: STATE_KIND,
    version: STATE_VERSION,
    id: ID,
    name: 'shop',
    configPath: '/srv/shop/guix-ops.config.ts',
    createdAt: '2026-11-01T00:00:00.000Z',
    updatedAt: '2026-11-01T00:00:00.000Z',
    machines: { db: { platform: 'qemu', system: 'debian' } },
    ...overrides,
  }
}

describe('writeFileAtomic', () => {
  it('writes 0600 and leaves no temp file behind', async () => {
    const dir = temp()
    const file = path.join(dir, 'x.json')
    await writeFileAtomic(file, 'one')
    await writeFileAtomic(file, 'two')
    expect(readFileSync(file, 'utf8')).toBe('two')
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(readdirSync(dir)).toEqual(['x.json'])
  })
})

describe('state documents', () => {
  it('round-trips through the store, 0600 in 0700 dirs', async () => {
    const dir = path.join(temp(), 'state')
    const store = new FileStateStore(dir)
    await store.write(doc())
    expect(await store.find('shop')).toEqual(doc())
    expect(await store.find(ID)).toEqual(doc())
    expect(statSync(dir).mode & 0o777).toBe(0o700)
    expect(statSync(path.join(dir, 'deployments')).mode & 0o777).toBe(0o700)
    expect(statSync(path.join(dir, 'deployments', `${ID}.json`)).mode & 0o777).toBe(0o600)
  })

  it('reports corrupt, foreign, too-new and invalid files with their path', async () => {
    const file = '/state/deployments/x.json'
    expect(await caught(() => parseStateDocument('{"kind": "guix-ops/deployment",\n "version": ', file))).toMatchObject(
      {
        code: 'E_STATE_CORRUPT',
        where: { file },
      },
    )
    expect((await caught(() => parseStateDocument('{"name": "left-pad"}', file))).code).toBe('E_STATE_FOREIGN')
    const tooNew = await caught(() => parseStateDocument(JSON.stringify(doc({ version: 9 as 2 })), file))
    expect(tooNew.code).toBe('E_STATE_TOO_NEW')
    const invalid = await caught(() =>
      parseStateDocument(
        JSON.stringify(doc({ machines: { db: { platform: 5 as unknown as string, system: 'debian' } } })),
        file,
      ),
    )
    expect(invalid.code).toBe('E_STATE_INVALID')
    expect(invalid.message).toContain('machines.db.platform')
  })

  it('never overwrites or removes a corrupt file in its place', async () => {
    const dir = temp()
    const store = new FileStateStore(dir)
    await store.write(doc())
    const file = path.join(dir, 'deployments', `${ID}.json`)
    writeFileSync(file, '{ half a docu')
    expect((await caught(store.write(doc({ description: 'new' })))).code).toBe('E_STATE_CORRUPT')
    expect((await caught(store.remove(doc()))).code).toBe('E_STATE_CORRUPT')
    expect(readFileSync(file, 'utf8')).toBe('{ half a docu')
    const { deployments, problems } = await store.list()
    expect(deployments).toEqual([])
    expect(problems.map((p) => [p.file, p.error.code])).toEqual([[file, 'E_STATE_CORRUPT']])
  })

  it('migrates a version 1 document on read without writing, and stores version 2 on the next write', async () => {
    const dir = temp()
    const file = path.join(dir, 'deployments', `${ID}.json`)
    const v1 = {
      kind: STATE_KIND,
      version: 1,
      id: ID,
      name: 'old',
      config: '/srv/old/guix-ops.config.ts',
      createdAt: '2025-01-01T00:00:00.000Z',
      updatedAt: '2025-01-01T00:00:00.000Z',
      machines: [{ name: 'db', platform: 'qemu', system: 'debian', address: '10.0.0.2' }],
    }
    const store = new FileStateStore(dir)
    await store.write(doc()) // creates the dirs
    writeFileSync(file, JSON.stringify(v1))
    const read = await store.find('old')
    expect(read).toMatchObject({
      version: 2,
      configPath: '/srv/old/guix-ops.config.ts',
      machines: { db: { address: '10.0.0.2' } },
    })
    expect(JSON.parse(readFileSync(file, 'utf8')).version).toBe(1)
    await store.write(read!)
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({
      version: 2,
      configPath: '/srv/old/guix-ops.config.ts',
    })
  })

  it('refuses to write an invalid document', async () => {
    const store = new FileStateStore(temp())
    expect((await caught(store.write(doc({ name: 'no spaces allowed' })))).code).toBe('E_STATE_INVALID')
  })

  it('resolves the state dir: flag, then GUIX_OPS_STATE_DIR, then XDG, then ~/.config/guix/ops', () => {
    expect(resolveStateDir({ flag: 'rel', env: { GUIX_OPS_STATE_DIR: '/e' } })).toBe(path.resolve('rel'))
    expect(resolveStateDir({ env: { GUIX_OPS_STATE_DIR: '/e', XDG_CONFIG_HOME: '/x' } })).toBe('/e')
    expect(resolveStateDir({ env: { XDG_CONFIG_HOME: '/x' } })).toBe('/x/guix/ops')
    expect(resolveStateDir({ env: {} })).toMatch(/\.config\/guix\/ops$/)
  })
})

describe('locks', () => {
  it('a second lock fails at once, naming pid, host and command; release frees it', async () => {
    const store = new FileStateStore(temp())
    const held = await store.lock('shop', 'guix-ops deploy')
    const error = await caught(store.lock('shop', 'guix-ops modify'))
    expect(error.code).toBe('E_STATE_LOCKED')
    expect(error.message).toContain(`pid ${process.pid} on host ${hostname()} (guix-ops deploy)`)
    expect(await store.readLock('shop')).toMatchObject({ pid: process.pid, command: 'guix-ops deploy' })
    await held.release()
    expect(await store.readLock('shop')).toBeUndefined()
    await (await store.lock('shop', 'again')).release()
  })

  it('takes over a lock whose process died on this host, and says so', async () => {
    const dir = temp()
    const store = new FileStateStore(dir)
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!
    await (await store.lock('shop', 'x')).release() // creates locks/
    const stale = { pid: dead, host: hostname(), command: 'guix-ops deploy', startedAt: '2026-01-01T00:00:00.000Z' }
    writeFileSync(path.join(dir, 'locks', 'shop.lock'), JSON.stringify(stale))
    const seen: unknown[] = []
    const held = await store.lock('shop', 'guix-ops modify', (info) => seen.push(info))
    expect(seen).toEqual([stale])
    expect(held.info.pid).toBe(process.pid)
    expect(readdirSync(path.join(dir, 'locks'))).toEqual(['shop.lock'])
    await held.release()
  })

  it('never takes over a lock from another host, nor a garbled one', async () => {
    const dir = temp()
    const store = new FileStateStore(dir)
    await (await store.lock('shop', 'x')).release()
    const lockFile = path.join(dir, 'locks', 'shop.lock')
    writeFileSync(lockFile, JSON.stringify({ pid: 999999, host: 'other', command: 'c', startedAt: 't' }))
    expect((await caught(store.lock('shop', 'y'))).message).toContain('on host other')
    writeFileSync(lockFile, 'garbage')
    expect((await caught(store.lock('shop', 'y'))).message).toContain(lockFile)
    expect(await store.unlock('shop')).toMatchObject({ command: 'unknown' })
    expect(existsSync(lockFile)).toBe(false)
  })

  it('release does not remove a lock that is no longer ours', async () => {
    const dir = temp()
    const store = new FileStateStore(dir)
    const held = await store.lock('shop', 'first')
    await store.unlock('shop')
    const second = await store.lock('shop', 'second')
    await held.release()
    expect(await store.readLock('shop')).toMatchObject({ command: 'second' })
    await second.release()
  })
})

describe('across processes (needs the built package: npm run build)', () => {
  beforeAll(() => {
    if (!existsSync(path.join(HERE, '../../dist/index.js'))) throw new Error('packages/core is not built')
  })

  it('8 processes race for one lock: exactly one wins', async () => {
    const dir = temp()
    const child = path.join(HERE, 'test-helpers/lock-child.mjs')
    const outputs = await Promise.all(
      Array.from(
        { length: 8 },
        () =>
          new Promise<string>((resolve) => {
            const p = spawn(process.execPath, [child, dir, 'shop'])
            let out = ''
            p.stdout.on('data', (d) => {
              out += d
            })
            p.on('close', () => resolve(out.trim()))
          }),
      ),
    )
    expect(outputs.filter((o) => o === 'won')).toHaveLength(1)
    expect(outputs.filter((o) => o === 'E_STATE_LOCKED')).toHaveLength(7)
  })

  it('SIGKILL at any moment leaves the old or the new document, never a broken one', async () => {
    const dir = temp()
    const child = path.join(HERE, 'test-helpers/save-loop.mjs')
    const file = path.join(dir, 'deployments', `${ID}.json`)
    let last = 0
    const kills = 40
    for (let i = 0; i < kills; i++) {
      const p = spawn(process.execPath, [child, dir, ID], { stdio: ['ignore', 'pipe', 'inherit'] })
      await new Promise<void>((resolve) => p.stdout.once('data', () => resolve()))
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 40))
      const exited = new Promise((resolve) => p.on('exit', resolve))
      p.kill('SIGKILL')
      await exited
      const state = parseStateDocument(readFileSync(file, 'utf8'), file)
      const n = Number(/^v-(\d+)$/.exec(state.description ?? '')?.[1])
      expect(n).toBeGreaterThanOrEqual(last) // a version it wrote, never an older one
      expect(Object.keys(state.machines)).toHaveLength(n % 7)
      last = n
    }
    expect(last).toBeGreaterThan(kills) // it really was writing between kills
    const { deployments, problems } = await new FileStateStore(dir).list()
    expect(problems).toEqual([])
    expect(deployments).toHaveLength(1)
  })
})
