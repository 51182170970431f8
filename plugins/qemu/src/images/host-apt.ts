/**
 * What the image builder needs to know of this machine's Debian: its release
 * and the mirror its own apt sources name. No mirror is ever written in code.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'

export function hostCodename(osRelease = '/etc/os-release'): string | undefined {
  if (!existsSync(osRelease)) return undefined
  return /^VERSION_CODENAME=("?)([a-z]+)\1$/m.exec(readFileSync(osRelease, 'utf8'))?.[2]
}

/** Source files in apt's order: sources.list, then sources.list.d/ sorted. */
function sourceFiles(dir = '/etc/apt'): string[] {
  const listDir = `${dir}/sources.list.d`
  const extra = existsSync(listDir)
    ? readdirSync(listDir)
        .filter((f) => f.endsWith('.list') || f.endsWith('.sources'))
        .sort()
        .map((f) => `${listDir}/${f}`)
    : []
  return [`${dir}/sources.list`, ...extra].filter((f) => existsSync(f))
}

/** The URI of the first source that carries `codename` itself (not -updates or -security) with `main`. */
export function debianMirror(codename: string, dir = '/etc/apt'): string | undefined {
  for (const file of sourceFiles(dir)) {
    const text = readFileSync(file, 'utf8')
    if (file.endsWith('.sources')) {
      for (const stanza of text.split(/\n\s*\n/)) {
        const field = (name: string) =>
          new RegExp(`^${name}:\\s*(.+)$`, 'mi').exec(stanza)?.[1]?.trim().split(/\s+/) ?? []
        if (
          field('Types').includes('deb') &&
          field('Suites').includes(codename) &&
          field('Components').includes('main')
        )
          return field('URIs')[0]
      }
    } else {
      for (const line of text.split('\n')) {
        const words = line
          .replace(/\[[^\]]*\]/, '')
          .trim()
          .split(/\s+/)
        if (words[0] === 'deb' && words[2] === codename && words.slice(3).includes('main')) return words[1]
      }
    }
  }
  return undefined
}
