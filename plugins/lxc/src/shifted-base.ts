/**
 * Bases for unprivileged containers: a copy of the privileged base whose
 * files belong to the ids that root inside maps to. tar unpacks the copy
 * inside a user namespace with that map (lxc-usernsexec), so owners, modes
 * and file capabilities come out as the kernel writes them for such a
 * namespace. /dev is left empty: LXC fills it at start. Made once per
 * (release, arch, map), under a lock, with a stamp written last like the
 * privileged base.
 */
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { baseName, ensureBase, STAMP, stamp, tail } from './base.js'
import { lxcPath } from './containers.js'
import { LxcError, lxcError } from './errors.js'
import { type IdMap, idMapConfig, MAPPED_IDS } from './idmap.js'
import { run } from './process.js'

export const shiftedBaseName = (release: string, arch: string, map: IdMap): string =>
  `${baseName(release, arch)}-u${map.uid}${map.gid === map.uid ? '' : `-g${map.gid}`}`

/** $1 the new base, $2 the privileged one, $3/$4 host uid/gid of root inside, $5 its config, $6 its stamp. */
const SHIFT_SCRIPT = `
set -eo pipefail
[ -f "$LXC_DIR/$1/${STAMP}" ] && exit 0
lxc-destroy -f -n "$1" >/dev/null 2>&1 || true
rm -rf "$LXC_DIR/\${1:?}"
mkdir -p "$LXC_DIR/$1/rootfs"
chown "$3:$4" "$LXC_DIR/$1/rootfs"
tar -C "$LXC_DIR/$2/rootfs" --numeric-owner --xattrs --xattrs-include='*' --exclude='./dev/*' -cpf - . |
  lxc-usernsexec -m "u:0:$3:${MAPPED_IDS}" -m "g:0:$4:${MAPPED_IDS}" -- \\
    tar -C "$LXC_DIR/$1/rootfs" --numeric-owner --xattrs --xattrs-include='*' -xpf -
printf '%s' "$5" > "$LXC_DIR/$1/config"
printf '%s\\n' "$6" > "$LXC_DIR/$1/${STAMP}"`

/** The privileged base's config, pointed at the new rootfs and name, with the id map added. */
function shiftedConfig(config: string, name: string, rootfs: string, map: IdMap): string {
  const kept = config
    .split('\n')
    .filter((l) => !/^\s*lxc\.(rootfs\.path|uts\.name|idmap)\s*=/.test(l))
    .join('\n')
    .trimEnd()
  return `${kept}\n\n# Added by guix-ops: an unprivileged base\nlxc.rootfs.path = dir:${rootfs}\nlxc.uts.name = ${name}\n${idMapConfig(map).join('\n')}\n`
}

/** The unprivileged base for (release, arch) and root's id map, made now from the privileged one if needed. */
export async function ensureShiftedBase(
  release: string,
  arch: string,
  map: IdMap,
  report: (message: string) => void,
  machine: string,
): Promise<string> {
  const name = shiftedBaseName(release, arch, map)
  if (await stamp(name)) return name
  const source = await ensureBase(release, arch, report, machine)
  report(`copying the base for unprivileged containers (ids from ${map.uid}; once)`)
  const dir = await lxcPath()
  const config = shiftedConfig(
    await readFile(path.join(dir, source, 'config'), 'utf8'),
    name,
    path.join(dir, name, 'rootfs'),
    map,
  )
  const info = JSON.stringify({ distro: 'debian', release, arch, createdAt: new Date().toISOString() })
  const argv = [String(map.uid), String(map.gid), config, info]
  const result = await run(
    ['flock', `/run/lock/${name}.lock`, 'bash', '-c', SHIFT_SCRIPT, 'bash', name, source, ...argv],
    {
      env: { LXC_DIR: dir },
    },
  )
  if (result.code !== 0 || !(await stamp(name)))
    throw lxcError(
      LxcError.Base,
      `cannot make the unprivileged base ${name}: ${tail(result.stderr || result.stdout)}`,
      {
        machine,
        suggestion: 'lxc-usernsexec and tar must work as root here (see lxc-usernsexec(1))',
      },
    )
  return name
}
