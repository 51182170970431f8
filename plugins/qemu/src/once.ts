/**
 * One build of an image at a time, across processes: machines provisioned
 * in parallel (or two deploys at once) that need the same image wait for
 * the first build instead of starting their own.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { waitUntil } from '@guix-ops/plugin-api'
import { isAlive } from './process.js'

async function tryLock(dir: string): Promise<boolean> {
  try {
    await mkdir(dir)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw error
  }
  await writeFile(path.join(dir, 'pid'), String(process.pid))
  return true
}

async function holderAlive(dir: string): Promise<boolean> {
  try {
    const pid = Number(await readFile(path.join(dir, 'pid'), 'utf8'))
    return Number.isInteger(pid) && pid > 0 && isAlive(pid)
  } catch {
    return true // being written this instant: treat as held
  }
}

const inProcess = new Map<string, Promise<unknown>>()

/**
 * Runs `build` unless `ready()` already finds the result, holding a lock
 * directory `lockDir` meanwhile. A lock whose process is gone is taken over.
 */
export async function buildOnce<T>(
  lockDir: string,
  ready: () => Promise<T | undefined>,
  build: () => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  const pending = inProcess.get(lockDir) as Promise<T> | undefined
  if (pending) return pending
  /** The result if it is there or this process could build it; undefined while another holds the lock. */
  const attempt = async (): Promise<T | undefined> => {
    const found = await ready()
    if (found) return found
    if (await tryLock(lockDir)) {
      try {
        return (await ready()) ?? (await build())
      } finally {
        await rm(lockDir, { recursive: true, force: true })
      }
    }
    if (await holderAlive(lockDir)) return undefined
    // Its holder is gone: take the lock over at once.
    await rm(lockDir, { recursive: true, force: true })
    return attempt()
  }
  const work = waitUntil(attempt, { timeout: Number.POSITIVE_INFINITY, interval: 1000, signal }) as Promise<T>
  inProcess.set(lockDir, work)
  try {
    return await work
  } finally {
    inProcess.delete(lockDir)
  }
}
