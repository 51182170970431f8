/**
 * One writer per deployment. A lock is a file created atomically (link(2)
 * fails when it exists), so two processes cannot both create it; it records
 * who holds it so that the loser can be told. A lock left by a dead process
 * on this host is taken over by renaming it away first: only one racer's
 * rename can succeed.
 */
import { randomBytes } from 'node:crypto'
import { link, open, readFile, rename, rm } from 'node:fs/promises'
import { hostname } from 'node:os'
import { GuixOpsError } from '@guix-ops/plugin-api'
import { ErrorCode } from '../codes.js'
import type { HeldLock, LockInfo } from './types.js'

/** Lock files this process holds now, for a watchdog that must remove them before it kills the process. */
const held = new Set<string>()

export function heldLockFiles(): string[] {
  return [...held]
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM' // exists, not ours to signal
  }
}

function parseLock(text: string): LockInfo | undefined {
  try {
    const info = JSON.parse(text) as Partial<LockInfo>
    if (
      Number.isInteger(info.pid) &&
      (info.pid as number) > 0 && // else kill() probes a process group, or throws and the lock looks dead
      typeof info.host === 'string' &&
      typeof info.command === 'string' &&
      typeof info.startedAt === 'string'
    ) {
      return info as LockInfo
    }
  } catch {
    // garbled: treated as held, never silently stolen
  }
  return undefined
}

export async function readLockFile(file: string): Promise<{ info?: LockInfo; garbled: boolean } | undefined> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
  const info = parseLock(text)
  return info ? { info, garbled: false } : { garbled: true }
}

function lockedError(name: string, file: string, holder: { info?: LockInfo; garbled: boolean }): GuixOpsError {
  const suggestion = `wait for it to finish, or run "guix-ops unlock -d ${name}" if it is gone`
  if (!holder.info) {
    return new GuixOpsError(
      ErrorCode.StateLocked,
      `deployment "${name}" is locked, and its lock file ${file} cannot be read`,
      {
        where: { file, deployment: name },
        suggestion,
      },
    )
  }
  const { pid, host, command, startedAt } = holder.info
  return new GuixOpsError(
    ErrorCode.StateLocked,
    `deployment "${name}" is locked by pid ${pid} on host ${host} (${command}) since ${startedAt}`,
    { where: { file, deployment: name }, suggestion },
  )
}

function sameHolder(a: LockInfo | undefined, b: LockInfo): boolean {
  return a?.pid === b.pid && a.host === b.host && a.startedAt === b.startedAt
}

/**
 * Creates the lock file whole or not at all: the content is written to a
 * temp file first and hard-linked into place, and link() fails if the lock
 * exists. A reader never sees a lock file without its holder in it.
 */
async function tryCreate(file: string, info: LockInfo): Promise<boolean> {
  const temp = `${file}.new-${process.pid}-${randomBytes(4).toString('hex')}`
  const handle = await open(temp, 'wx', 0o600)
  try {
    await handle.writeFile(JSON.stringify(info))
    await handle.sync()
  } finally {
    await handle.close()
  }
  try {
    await link(temp, file)
    return true
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw error
  } finally {
    await rm(temp, { force: true })
  }
}

export async function acquireLock(
  file: string,
  name: string,
  command: string,
  onTakeover?: (stale: LockInfo) => void,
): Promise<HeldLock> {
  const info: LockInfo = { pid: process.pid, host: hostname(), command, startedAt: new Date().toISOString() }
  const lock: HeldLock = {
    info,
    release: async () => {
      // Only our own lock: someone may have unlocked and re-locked meanwhile.
      const current = await readLockFile(file)
      if (sameHolder(current?.info, info)) await rm(file, { force: true })
      held.delete(file)
    },
  }
  for (let attempt = 0; attempt < 2; attempt++) {
    if (await tryCreate(file, info)) {
      held.add(file)
      return lock
    }
    const holder = await readLockFile(file)
    if (!holder) continue // released meanwhile: try again
    const stale = holder.info && holder.info.host === info.host && !isAlive(holder.info.pid)
    if (!stale || !holder.info) throw lockedError(name, file, holder)
    const aside = `${file}.stale-${holder.info.pid}-${randomBytes(4).toString('hex')}`
    try {
      await rename(file, aside)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue // another process took it over first
      throw error
    }
    const moved = await readLockFile(aside)
    if (!sameHolder(moved?.info, holder.info)) {
      // We moved a fresh lock that replaced the stale one between our read and rename: put it back.
      await rename(aside, file).catch(() => undefined)
      throw lockedError(name, file, moved ?? holder)
    }
    await rm(aside, { force: true })
    onTakeover?.(holder.info)
  }
  const holder = await readLockFile(file)
  throw lockedError(name, file, holder ?? { garbled: true })
}
