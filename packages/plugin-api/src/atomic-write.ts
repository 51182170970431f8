/**
 * Replaces a file so that, whatever happens (a crash, SIGKILL, a full disk),
 * readers see the old content or the new one, never a mix: write a temp
 * file in the same directory, fsync it, rename it over the target, fsync
 * the directory so the rename itself survives a power cut.
 */
import { randomBytes } from 'node:crypto'
import { open, rename, rm } from 'node:fs/promises'
import path from 'node:path'

/** Temp files start with a dot and carry this marker; readers skip them. */
export const TEMP_MARKER = '.tmp-'

export async function writeFileAtomic(file: string, data: string, mode = 0o600): Promise<void> {
  const dir = path.dirname(file)
  const temp = path.join(dir, `.${path.basename(file)}${TEMP_MARKER}${process.pid}-${randomBytes(4).toString('hex')}`)
  const handle = await open(temp, 'wx', mode)
  try {
    await handle.writeFile(data, 'utf8')
    await handle.chmod(mode) // the umask may have narrowed or widened `mode`
    await handle.sync()
    await handle.close()
    await rename(temp, file)
  } catch (error) {
    await handle.close().catch(() => undefined)
    await rm(temp, { force: true })
    throw error
  }
  await syncDirectory(dir)
}

/** Makes the renames and removals of entries of `dir` survive a power cut. */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}
