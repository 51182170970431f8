import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { mkdir, mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { caught } from '../../../../test/support/errors.js'
import { writeFileAtomic } from './atomic-write.js'
import { parseStateDocument } from './document.js'
import { FileStateStore } from './file-store.js'
import { resolveStateDir } from './state-dir.js'
import { type DeploymentState, STATE_KIND, STATE_VERSION } from './types.js'

const ID = '6f0a3a52-3d1c-4d5e-9a55-1b2c3d4e5f60'
const temp = () => mkdtemp(path.join(tmpdir(), 'guix-ops-state-'))

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
    const dir = await temp()
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
    const dir = path.join(await temp(), 'state')
    const store = new FileStateStore(dir)
    await store.write(doc())
    expect(await store.find('shop')).toEqual(doc())
    expect(await store.find(ID)).toEqual(doc())
    expect(await store.find('nope')).toBeUndefined()
    expect(statSync(dir).mode & 0o777).toBe(0o700)
    expect(statSync(path.join(dir, 'deployments')).mode & 0o777).toBe(0o700)
    expect(statSync(path.join(dir, 'deployments', `${ID}.json`)).mode & 0o777).toBe(0o600)
    expect(readFileSync(path.join(dir, 'deployments', `${ID}.json`), 'utf8')).toBe(
      `${JSON.stringify(doc(), null, 2)}\n`,
    )
  })

  it('reports corrupt, foreign, too-new and invalid files with their path', async () => {
    const file = '/state/deployments/x.json'
    const corrupt = await caught(() => parseStateDocument('{"kind": "guix-ops/deployment",\n "version": ', file))
    expect(corrupt).toMatchObject({ code: 'E_STATE_CORRUPT', where: { file } })
    const foreign = await caught(() => parseStateDocument('{"name": "left-pad", "version": "1.3.0"}', file))
    expect(foreign).toMatchObject({ code: 'E_STATE_FOREIGN', where: { file } })
    expect(foreign.message).toContain('is not a guix-ops state file')
    const tooNew = await caught(() => parseStateDocument(JSON.stringify(doc({ version: 9 as 2 })), file))
    expect(tooNew).toMatchObject({ code: 'E_STATE_TOO_NEW', where: { file } })
    expect(tooNew.suggestion).toContain('upgrade guix-ops')
    const invalid = await caught(() =>
      parseStateDocument(
        JSON.stringify(doc({ machines: { db: { platform: 5 as unknown as string, system: 'debian' } } })),
        file,
      ),
    )
    expect(invalid).toMatchObject({ code: 'E_STATE_INVALID', where: { file, path: 'machines.db.platform' } })
    expect(invalid.message).toContain('machines.db.platform: expected a string')
  })

  it('never overwrites or removes a corrupt or foreign file in its place', async () => {
    const dir = await temp()
    const store = new FileStateStore(dir)
    await store.write(doc())
    const file = path.join(dir, 'deployments', `${ID}.json`)
    for (const [bytes, code] of [
      ['{ half a docu', 'E_STATE_CORRUPT'],
      ['{"name": "left-pad"}\n', 'E_STATE_FOREIGN'],
    ]) {
      writeFileSync(file, bytes!)
      expect((await caught(store.write(doc({ description: 'new' })))).code).toBe(code)
      expect((await caught(store.remove(doc()))).code).toBe(code)
      expect(readFileSync(file, 'utf8')).toBe(bytes)
      const { deployments, problems } = await store.list()
      expect(deployments).toEqual([])
      expect(problems.map((p) => [p.file, p.error.code])).toEqual([[file, code]])
    }
  })

  it('lists readable deployments by name, and ignores temp files', async () => {
    const dir = await temp()
    const store = new FileStateStore(dir)
    await store.write(doc({ id: '00000000-0000-4000-8000-000000000002', name: 'zoo' }))
    await store.write(doc({ id: '00000000-0000-4000-8000-000000000001', name: 'app' }))
    writeFileSync(path.join(dir, 'deployments', `.${ID}.json.tmp-1-abcd`), '{ half')
    const { deployments, problems } = await store.list()
    expect(deployments.map((d) => d.name)).toEqual(['app', 'zoo'])
    expect(problems).toEqual([])
  })

  it('refuses to write an invalid document', async () => {
    const dir = await temp()
    const store = new FileStateStore(dir)
    expect((await caught(store.write(doc({ name: 'no spaces allowed' })))).code).toBe('E_STATE_INVALID')
    expect((await store.list()).deployments).toEqual([])
  })

  it('removes the document and the machine and secret dirs', async () => {
    const dir = await temp()
    const store = new FileStateStore(dir)
    await store.write(doc())
    for (const sub of ['machines', 'secrets']) await mkdir(path.join(dir, sub, ID, 'db'), { recursive: true })
    await store.remove(doc())
    expect(await store.find(ID)).toBeUndefined()
    expect(readdirSync(path.join(dir, 'machines'))).toEqual([])
    expect(readdirSync(path.join(dir, 'secrets'))).toEqual([])
  })
})

describe('migrations', () => {
  const v1 = {
    kind: STATE_KIND,
    version: 1,
    id: ID,
    name: 'old',
    config: '/srv/old/guix-ops.config.ts',
    createdAt: '2025-01-01T00:00:00.000Z',
    updatedAt: '2025-01-01T00:00:00.000Z',
    machines: [
      { name: 'db', platform: 'qemu', system: 'debian', address: '10.0.0.2' },
      { name: 'web', platform: 'qemu', system: 'guix' },
    ],
  }

  it('reads version 1 as version 2 without writing, and stores version 2 on the next write', async () => {
    const dir = await temp()
    const file = path.join(dir, 'deployments', `${ID}.json`)
    const store = new FileStateStore(dir)
    await store.write(doc()) // creates the dirs
    const bytes = JSON.stringify(v1)
    writeFileSync(file, bytes)
    const read = await store.find('old')
    expect(read).toEqual({
      kind: STATE_KIND,
      version: 2,
      id: ID,
      name: 'old',
      configPath: '/srv/old/guix-ops.config.ts',
      createdAt: '2025-01-01T00:00:00.000Z',
      updatedAt: '2025-01-01T00:00:00.000Z',
      machines: {
        db: { platform: 'qemu', system: 'debian', address: '10.0.0.2' },
        web: { platform: 'qemu', system: 'guix' },
      },
    })
    expect(readFileSync(file, 'utf8')).toBe(bytes)
    await store.write(read!)
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(read)
  })

  it('refuses to drop a version 1 machine it cannot key by name', async () => {
    const file = '/state/deployments/x.json'
    const unnamed = { ...v1, machines: [{ platform: 'qemu', system: 'debian' }] }
    expect(await caught(() => parseStateDocument(JSON.stringify(unnamed), file))).toMatchObject({
      code: 'E_STATE_INVALID',
      where: { file, path: 'machines[0].name' },
    })
    const twice = { ...v1, machines: [v1.machines[0], v1.machines[0]] }
    const error = await caught(() => parseStateDocument(JSON.stringify(twice), file))
    expect(error).toMatchObject({ code: 'E_STATE_INVALID', where: { path: 'machines[1].name' } })
    expect(error.message).toContain('listed twice')
  })
})

describe('resolveStateDir', () => {
  it('takes the flag, then GUIX_OPS_STATE_DIR, then XDG, then ~/.config/guix/ops', () => {
    expect(resolveStateDir({ flag: 'rel', env: { GUIX_OPS_STATE_DIR: '/e' } })).toBe(path.resolve('rel'))
    expect(resolveStateDir({ env: { GUIX_OPS_STATE_DIR: '/e', XDG_CONFIG_HOME: '/x' } })).toBe('/e')
    expect(resolveStateDir({ env: { XDG_CONFIG_HOME: '/x' } })).toBe('/x/guix/ops')
    expect(resolveStateDir({ env: {} })).toMatch(/^\/.*\/\.config\/guix\/ops$/)
  })
})
