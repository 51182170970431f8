/**
 * A machine's copy-on-write clone of its base, written here the way
 * `lxc-copy -s -B overlayfs` writes one (LXC 5: lxccontainer.c
 * do_lxcapi_clone and copy_storage, storage/overlay.c ovl_clonepaths):
 *
 *   <lxcpath>/<name>/              0770, the container's directory
 *   <lxcpath>/<name>/rootfs/       0755, empty: where LXC mounts the overlay
 *   <lxcpath>/<name>/overlay/delta 0755, the upper (writable) layer
 *   <lxcpath>/<name>/overlay/work  0755, overlayfs' work directory
 *   <lxcpath>/<name>/config        0640, the base's, with
 *                                  `lxc.rootfs.path = overlay:LOWER:UPPER`
 *   <lxcpath>/<name>/lxc_rdepends  the base it depends on, and the base's
 *   lxc_snapshots                  the clone, so that lxc-destroy refuses to
 *                                  remove a base its clones still use
 *
 * Beside that, lxc-copy takes LXC's lock on the base, gives the clone a
 * random MAC and mounts the overlay to write the hostname (and runs the
 * base's clone hook on /etc/hosts); guix-ops writes the MAC, hostname and
 * hosts file itself. Done in a few file writes and no process, the clones
 * of a fleet are made side by side while its first machines already boot
 * and load the host.
 */
import { appendFile, chmod, chown, mkdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { withGuixOpsConfig } from './container-config.js'
import { LxcError, lxcError } from './errors.js'
import type { IdMap } from './idmap.js'

/** The base's root directory, from its `lxc.rootfs.path` (`dir:PATH` or a bare PATH); undefined for other storage. */
export function baseRootfs(config: string): string | undefined {
  const value = /^\s*lxc\.rootfs\.path\s*=\s*(\S+)\s*$/m.exec(config)?.[1]
  if (!value) return undefined
  const dir = value.startsWith('dir:') ? value.slice('dir:'.length) : value
  return dir.startsWith('/') && !dir.includes(':') ? dir : undefined
}

/** The clone's config: the base's, on the overlay instead of the base's root, with guix-ops' lines. */
export function overlayCloneConfig(baseConfig: string, lower: string, upper: string, lines: string[]): string {
  const kept = baseConfig
    .split('\n')
    .filter((l) => !/^\s*lxc\.rootfs\.path\s*=/.test(l))
    .join('\n')
    .trimEnd()
  return withGuixOpsConfig(`${kept}\nlxc.rootfs.path = overlay:${lower}:${upper}`, lines)
}

export interface OverlayClone {
  /** LXC's directory of containers (lxc.lxcpath). */
  lxcDir: string
  base: string
  container: string
  /** guix-ops' config lines (container-config.ts). */
  lines: string[]
  /** An unprivileged container's root on this host: its directories are given to it, as LXC does. */
  owner?: IdMap | undefined
  /** The machine, named in errors. */
  machine: string
}

/** Writes the clone; resolves to its upper layer, where its identity goes before the first boot. */
export async function writeOverlayClone(clone: OverlayClone): Promise<string> {
  const baseDir = path.join(clone.lxcDir, clone.base)
  const baseConfig = await readFile(path.join(baseDir, 'config'), 'utf8').catch((error: Error) => {
    throw lxcError(LxcError.Clone, `cannot read the base's config: ${error.message}`, { machine: clone.machine })
  })
  const lower = baseRootfs(baseConfig)
  if (!lower)
    throw lxcError(LxcError.Clone, `the base ${clone.base} is not a directory-backed container (lxc.rootfs.path)`, {
      machine: clone.machine,
    })
  try {
    return await writeFiles(clone, baseConfig, lower)
  } catch (error) {
    throw lxcError(LxcError.Clone, `cannot write the container ${clone.container}: ${(error as Error).message}`, {
      machine: clone.machine,
      cause: error,
    })
  }
}

async function writeFiles(clone: OverlayClone, baseConfig: string, lower: string): Promise<string> {
  const baseDir = path.join(clone.lxcDir, clone.base)
  const dir = path.join(clone.lxcDir, clone.container)
  const upper = path.join(dir, 'overlay', 'delta')
  await mkdir(dir)
  await chmod(dir, 0o770)
  const made = [dir, path.join(dir, 'rootfs'), path.join(dir, 'overlay'), upper, path.join(dir, 'overlay', 'work')]
  // mkdir's mode is cut by the umask; in overlayfs the merged root takes the upper layer's mode.
  for (const d of made.slice(1)) {
    await mkdir(d, { mode: 0o755 })
    await chmod(d, 0o755)
  }
  if (clone.owner) for (const d of made) await chown(d, clone.owner.uid, clone.owner.gid)
  await writeFile(path.join(dir, 'lxc_rdepends'), `${clone.lxcDir}\n${clone.base}\n`, { mode: 0o644 })
  await writeFile(path.join(dir, 'config'), overlayCloneConfig(baseConfig, lower, upper, clone.lines), {
    mode: 0o640,
  })
  // One appending write, as LXC's own; LXC also holds an OFD lock on the base meanwhile, which Node cannot take.
  await appendFile(path.join(baseDir, 'lxc_snapshots'), `${clone.lxcDir}\n${clone.container}\n`, { mode: 0o644 })
  return upper
}
