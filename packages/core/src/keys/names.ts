/**
 * What a key's name and directory may be: the config's check and the state's
 * check share these, so a record read back from a state file or an import can
 * only ever name a file that a valid config could have named.
 */

/** A key's name is its file's name on the host, and part of a systemd unit's name. */
export const KEY_NAME: RegExp = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/
/** An absolute path a shell and a systemd unit file take word for word. */
export const DEST_DIR: RegExp = /^(\/[A-Za-z0-9._-]+)+$/

/** True when a path has no `..` or `.` component: the name it gives is the file reached. */
export const withoutDotParts = (dir: string): boolean => !dir.split('/').some((part) => part === '..' || part === '.')

/** A directory the config may name: the pattern, and no `..` or `.` component. */
export function isKeyDir(dir: string): boolean {
  return DEST_DIR.test(dir) && withoutDotParts(dir)
}

/** True when `file` is `DIR/NAME` for a valid directory and the key's own name. */
export function isKeyPath(file: string, name: string): boolean {
  if (!KEY_NAME.test(name) || !file.endsWith(`/${name}`)) return false
  return isKeyDir(file.slice(0, -name.length - 1))
}
