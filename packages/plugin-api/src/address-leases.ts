/**
 * The addresses of a deployment's private network, handed out to machines:
 * a lease is a directory named by the host number, made atomically (mkdir),
 * so machines provisioned in parallel never get the same one; it holds the
 * machine's name, so asking again finds the same one. Each platform turns
 * the number into its own address and MAC.
 */
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'

async function owner(dir: string, entry: string): Promise<string> {
  return readFile(path.join(dir, entry, 'machine'), 'utf8').catch(() => '')
}

/** The machine's host number in `first..last` (its old one if it has one), or undefined when none is free. */
export async function leaseHostNumber(
  dir: string,
  machine: string,
  first: number,
  last: number,
): Promise<number | undefined> {
  await mkdir(dir, { recursive: true, mode: 0o700 })
  for (const entry of await readdir(dir)) if ((await owner(dir, entry)) === machine) return Number(entry)
  for (let n = first; n <= last; n++) {
    try {
      await mkdir(path.join(dir, String(n)))
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue
      throw error
    }
    await writeFile(path.join(dir, String(n), 'machine'), machine)
    return n
  }
  return undefined
}

/** Gives the machine's host number back; resolves to how many leases are left. */
export async function releaseHostNumber(dir: string, machine: string): Promise<number> {
  const entries = await readdir(dir).catch(() => [] as string[])
  for (const entry of entries)
    if ((await owner(dir, entry)) === machine) await rm(path.join(dir, entry), { recursive: true, force: true })
  return (await readdir(dir).catch(() => [] as string[])).length
}
