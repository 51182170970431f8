/**
 * A short private directory for unix sockets: their paths may not exceed
 * 107 bytes, which a state dir deep in a home directory easily does.
 */
import { createHash } from 'node:crypto'
import { lstat, mkdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { QemuError, qemuError } from './errors.js'

async function ownPrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 })
  const info = await lstat(dir)
  const uid = process.getuid?.() ?? info.uid
  // Refuse a directory someone else made (or a symlink planted) where ours should be.
  if (!info.isDirectory() || info.uid !== uid || (info.mode & 0o077) !== 0)
    throw qemuError(QemuError.Launch, `${dir} is not a private directory of this user`, {
      suggestion: 'remove it, or set TMPDIR to a directory of your own',
    })
}

/** `$TMPDIR/guix-ops-<uid>/<hash of key>/`, 0700, made if missing. */
export async function runtimeDir(key: string): Promise<string> {
  const base = path.join(tmpdir(), `guix-ops-${process.getuid?.() ?? 'user'}`)
  await ownPrivateDir(base)
  const dir = path.join(base, createHash('sha256').update(key).digest('hex').slice(0, 12))
  await ownPrivateDir(dir)
  return dir
}
