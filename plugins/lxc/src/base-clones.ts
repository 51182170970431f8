/**
 * The containers standing on a base, found from their own files: an
 * overlay root whose lower layer is the base's root, or an lxc_rdepends
 * naming the base (as lxc-copy -s and overlay-clone.ts write them). The
 * base's lxc_snapshots is not enough: guix-ops appends to it without LXC's
 * lock, so a clone destroyed at the same time can drop another's entry.
 */
import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { baseRootfs } from './overlay-clone.js'

const read = (file: string) => readFile(file, 'utf8').catch(() => '')

/** The lower layer of an `overlay:LOWER:UPPER` root (LXC also takes `overlayfs:`). */
function overlayLower(config: string): string | undefined {
  const value = /^\s*lxc\.rootfs\.path\s*=\s*(\S+)\s*$/m.exec(config)?.[1]
  const [kind, lower] = value?.split(':') ?? []
  return kind === 'overlay' || kind === 'overlayfs' ? lower : undefined
}

/** Whether lxc_rdepends (LXC path, then name, per line pair) names the base. */
function dependsOn(rdepends: string, lxcDir: string, base: string): boolean {
  const lines = rdepends.split('\n')
  for (let i = 0; i + 1 < lines.length; i += 2)
    if (path.resolve(lines[i]!) === path.resolve(lxcDir) && lines[i + 1] === base) return true
  return false
}

/** The names of the containers under `lxcDir` that are clones of `base`, sorted. */
export async function clonesOf(lxcDir: string, base: string): Promise<string[]> {
  const baseRoot = baseRootfs(await read(path.join(lxcDir, base, 'config'))) ?? path.join(lxcDir, base, 'rootfs')
  const names = (await readdir(lxcDir).catch(() => [] as string[])).filter((n) => n !== base)
  const found = await Promise.all(
    names.map(async (name) => {
      const lower = overlayLower(await read(path.join(lxcDir, name, 'config')))
      if (lower && path.resolve(lower) === path.resolve(baseRoot)) return name
      return dependsOn(await read(path.join(lxcDir, name, 'lxc_rdepends')), lxcDir, base) ? name : undefined
    }),
  )
  return found.filter((n): n is string => n !== undefined).sort()
}
