/**
 * Base containers: one per (distro, release, arch), made once with Debian's
 * own template (`lxc-create -t debian`, debootstrap underneath) from the
 * mirrors this machine's apt sources name, and kept stopped as the lower
 * layer of every machine's copy-on-write clone. A stamp file written last
 * marks a base as complete; a half-made one is made again.
 */
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { clonesOf } from './base-clones.js'
import { lxc, lxcPath } from './containers.js'
import { LxcError, lxcError } from './errors.js'
import { debianMirrors } from './mirror.js'
import { run } from './process.js'

/** Renamed whenever what a base holds changes, so that an old one is not used. */
const BASE_VERSION = 'v1'
const PREFIX = 'guix-ops-lxc-'
export const STAMP = 'guix-ops-base.json'
/** Packages beyond the template's own (which has openssh-server): sudo for configs that use it. */
const EXTRA_PACKAGES = 'sudo'

export interface BaseInfo {
  name: string
  distro: string
  release: string
  arch: string
  createdAt: string
}

export const baseName = (release: string, arch: string): string => `${PREFIX}debian-${release}-${arch}-${BASE_VERSION}`

/** A complete base's record (the stamp written last), or undefined. */
export async function stamp(name: string): Promise<BaseInfo | undefined> {
  try {
    return { name, ...JSON.parse(await readFile(path.join(await lxcPath(), name, STAMP), 'utf8')) }
  } catch {
    return undefined
  }
}

/**
 * Under a lock per base (util-linux flock), so that machines provisioned at
 * once, or two deploys, build it once: a half-made base is removed first.
 */
const BUILD_SCRIPT = `
set -e
[ -f "$LXC_DIR/$1/${STAMP}" ] && exit 0
lxc-destroy -f -n "$1" >/dev/null 2>&1 || true
lxc-create -n "$1" -t debian -- -r "$2" -a "$3" --packages="$4"
printf '%s\\n' "$5" > "$LXC_DIR/$1/${STAMP}"`

/** The base for (release, arch), built now if it is not cached. */
export async function ensureBase(
  release: string,
  arch: string,
  report: (message: string) => void,
  machine?: string,
): Promise<string> {
  const name = baseName(release, arch)
  if (await stamp(name)) return name
  const { mirror, security } = debianMirrors()
  report(`building the Debian ${release} ${arch} base container (once; about a minute)`)
  const info = JSON.stringify({ distro: 'debian', release, arch, createdAt: new Date().toISOString() })
  const lock = `/run/lock/${name}.lock`
  const result = await run(['flock', lock, 'sh', '-c', BUILD_SCRIPT, 'sh', name, release, arch, EXTRA_PACKAGES, info], {
    env: { MIRROR: mirror, ...(security ? { SECURITY_MIRROR: security } : {}), LXC_DIR: await lxcPath() },
  })
  if (result.code !== 0 || !(await stamp(name)))
    throw lxcError(
      LxcError.Base,
      `lxc-create could not build the base ${name}: ${tail(result.stderr || result.stdout)}`,
      {
        ...(machine ? { machine } : {}),
        suggestion: `check that the mirror ${mirror} (from /etc/apt/sources.list*) carries ${release} for ${arch}`,
      },
    )
  return name
}

export const tail = (text: string) => text.trim().split('\n').slice(-5).join(' | ')

/** The bases made so far, complete ones only. */
export async function listBases(): Promise<BaseInfo[]> {
  const result = await lxc(['lxc-ls', '-1'])
  const names = result.stdout.split(/\s+/).filter((n) => n.startsWith(PREFIX))
  const found = await Promise.all(names.map((n) => stamp(n)))
  return found.filter((b): b is BaseInfo => b !== undefined)
}

/** Removes a base; refused, naming them, while containers are clones of it. */
export async function removeBase(name: string): Promise<void> {
  if (!(await stamp(name)))
    throw lxcError(LxcError.BaseUnknown, `no base container named ${name}`, {
      suggestion: 'see guix-ops lxc images list',
    })
  const clones = await clonesOf(await lxcPath(), name)
  if (clones.length > 0)
    throw lxcError(LxcError.Base, `cannot remove ${name}: these containers are clones of it: ${clones.join(', ')}`, {
      suggestion: 'destroy the deployments whose machines are clones of it first',
    })
  const result = await lxc(['lxc-destroy', '-n', name])
  if (result.code !== 0)
    throw lxcError(LxcError.Base, `cannot remove ${name}: ${result.stderr.trim()}`, {
      suggestion: 'destroy the deployments whose machines are clones of it first',
    })
}
