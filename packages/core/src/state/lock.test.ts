import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, writeFileSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { hostname, tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { caught } from '../../../../test/support/errors.js'
import { FileStateStore } from './file-store.js'

const temp = () => mkdtemp(path.join(tmpdir(), 'guix-ops-lock-'))

/** A store whose locks/ dir exists, and the path of the "shop" lock in it. */
async function storeWithLocks(): Promise<{ store: FileStateStore; dir: string; lockFile: string }> {
  const dir = await temp()
  const store = new FileStateStore(dir)
  await (await store.lock('shop', 'setup')).release()
  return { store, dir, lockFile: path.join(dir, 'locks', 'shop.lock') }
}

describe('locks', () => {
  it('a second lock fails at once, naming pid, host and command; release frees it', async () => {
    const store = new FileStateStore(await temp())
    const held = await store.lock('shop', 'guix-ops deploy')
    const error = await caught(store.lock('shop', 'guix-ops modify'))
    expect(error).toMatchObject({ code: 'E_STATE_LOCKED', where: { deployment: 'shop' } })
    expect(error.message).toContain(
      `deployment "shop" is locked by pid ${process.pid} on host ${hostname()} (guix-ops deploy) since ${held.info.startedAt}`,
    )
    expect(error.suggestion).toBe('wait for it to finish, or run "guix-ops unlock -d shop" if it is gone')
    expect(await store.readLock('shop')).toEqual(held.info)
    await held.release()
    expect(await store.readLock('shop')).toBeUndefined()
    await (await store.lock('shop', 'again')).release()
  })

  it('locks names, not documents: other names are independent', async () => {
    const store = new FileStateStore(await temp())
    const shop = await store.lock('shop', 'a')
    const blog = await store.lock('blog', 'b')
    await shop.release()
    await blog.release()
  })

  it('takes over a lock whose process died on this host, and says so', async () => {
    const { store, dir, lockFile } = await storeWithLocks()
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!
    const stale = { pid: dead, host: hostname(), command: 'guix-ops deploy', startedAt: '2026-01-01T00:00:00.000Z' }
    writeFileSync(lockFile, JSON.stringify(stale))
    const seen: unknown[] = []
    const held = await store.lock('shop', 'guix-ops modify', (info) => seen.push(info))
    expect(seen).toEqual([stale])
    expect(held.info.pid).toBe(process.pid)
    expect(await store.readLock('shop')).toEqual(held.info)
    expect(readdirSync(path.join(dir, 'locks'))).toEqual(['shop.lock'])
    await held.release()
  })

  it('never takes over a lock from another host, a garbled one, or one without a real pid', async () => {
    const { store, lockFile } = await storeWithLocks()
    const other = { pid: 999999, host: 'other', command: 'c', startedAt: 't' }
    writeFileSync(lockFile, JSON.stringify(other))
    expect((await caught(store.lock('shop', 'y'))).message).toContain('by pid 999999 on host other (c)')
    for (const garbled of [
      'garbage',
      '',
      JSON.stringify({ ...other, host: hostname(), pid: -1 }),
      JSON.stringify({ ...other, host: hostname(), pid: 1.5 }),
    ]) {
      writeFileSync(lockFile, garbled)
      const error = await caught(store.lock('shop', 'y'))
      expect(error.code).toBe('E_STATE_LOCKED')
      expect(error.message).toContain(lockFile)
    }
    expect(await store.unlock('shop')).toMatchObject({ command: 'unknown' })
    expect(existsSync(lockFile)).toBe(false)
  })

  it('release does not remove a lock that is no longer ours; unlock returns what it removed', async () => {
    const store = new FileStateStore(await temp())
    const held = await store.lock('shop', 'first')
    expect(await store.unlock('shop')).toEqual(held.info)
    expect(await store.unlock('shop')).toBeUndefined()
    const second = await store.lock('shop', 'second')
    await held.release()
    expect(await store.readLock('shop')).toMatchObject({ command: 'second' })
    await second.release()
  })

  it('refuses a name that would reach outside the locks dir', async () => {
    const store = new FileStateStore(await temp())
    for (const name of ['../x', 'a/b', '.hidden', '']) {
      expect((await caught(store.lock(name, 'c'))).code).toBe('E_INVALID_NAME')
      expect((await caught(store.unlock(name))).code).toBe('E_INVALID_NAME')
    }
  })
})
