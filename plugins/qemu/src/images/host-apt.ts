/**
 * What the image builder needs to know of this machine's Debian: its release
 * and the mirror its own apt sources name. No mirror is ever written in code.
 */
import { existsSync, readFileSync } from 'node:fs'
import { aptSources } from '@guix-ops/plugin-api'

export function hostCodename(osRelease = '/etc/os-release'): string | undefined {
  if (!existsSync(osRelease)) return undefined
  return /^VERSION_CODENAME=("?)([a-z]+)\1$/m.exec(readFileSync(osRelease, 'utf8'))?.[2]
}

/** The URI of the first source that carries `codename` itself (not -updates or -security) with `main`. */
export function debianMirror(codename: string, dir = '/etc/apt'): string | undefined {
  return aptSources(dir).find((source) => source.suite === codename)?.uri
}
