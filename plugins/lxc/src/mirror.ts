/**
 * The Debian mirrors this machine's own apt sources name, read at run time:
 * no mirror is ever written in code. `lxc-create -t debian` takes them as
 * MIRROR and SECURITY_MIRROR.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { LxcError, lxcError } from './errors.js'

/** Source files in apt's order: sources.list, then sources.list.d/ sorted. */
function sourceFiles(dir: string): string[] {
  const listDir = `${dir}/sources.list.d`
  const extra = existsSync(listDir)
    ? readdirSync(listDir)
        .filter((f) => f.endsWith('.list') || f.endsWith('.sources'))
        .sort()
        .map((f) => `${listDir}/${f}`)
    : []
  return [`${dir}/sources.list`, ...extra].filter((f) => existsSync(f))
}

/** Every (URI, suite) pair of the `deb` sources with `main`, one-line and deb822 alike. */
function sources(dir: string): { uri: string; suite: string }[] {
  const found: { uri: string; suite: string }[] = []
  for (const file of sourceFiles(dir)) {
    const text = readFileSync(file, 'utf8')
    if (file.endsWith('.sources')) {
      for (const stanza of text.split(/\n\s*\n/)) {
        const field = (name: string) =>
          new RegExp(`^${name}:\\s*(.+)$`, 'mi').exec(stanza)?.[1]?.trim().split(/\s+/) ?? []
        if (!field('Types').includes('deb') || !field('Components').includes('main')) continue
        for (const suite of field('Suites')) for (const uri of field('URIs')) found.push({ uri, suite })
      }
      continue
    }
    for (const line of text.split('\n')) {
      const words = line
        .replace(/\[[^\]]*\]/, '')
        .trim()
        .split(/\s+/)
      if (words[0] === 'deb' && words[1] && words[2] && words.slice(3).includes('main'))
        found.push({ uri: words[1], suite: words[2] })
    }
  }
  return found
}

export interface Mirrors {
  mirror: string
  security?: string | undefined
}

/**
 * The mirror of the host's own release serves the other releases too (a
 * Debian mirror carries them all); the security mirror is the one named
 * for `<codename>-security`.
 */
export function debianMirrors(dir = '/etc/apt'): Mirrors {
  const all = sources(dir)
  const main = all.find((s) => /^[a-z]+$/.test(s.suite))
  if (!main)
    throw lxcError(LxcError.Mirror, `no Debian mirror in ${dir}/sources.list*`, {
      suggestion: 'add the Debian mirror this machine should use to its apt sources',
    })
  return { mirror: main.uri, security: all.find((s) => s.suite.endsWith('-security'))?.uri }
}
