/** Paths on the host, each written one way, so that two spellings of one path converge. */
import path from 'node:path'

/**
 * Why a path cannot be used, or undefined. `..` is refused, not resolved:
 * through a symbolic link on the host it can name another file than it seems to.
 */
export function pathProblem(file: string): string | undefined {
  if (file.split('/').includes('..')) return `a path may not contain "..": write it as ${path.posix.normalize(file)}`
  return undefined
}

/** `//` and `/./` collapse and a trailing slash goes: `/srv//shop/` is `/srv/shop`. */
export function normalPath(file: string): string {
  const normal = path.posix.normalize(file)
  return normal.length > 1 ? normal.replace(/\/$/, '') : normal
}
