/**
 * The Debian sources this machine's own apt configuration names, read at
 * run time, so that no mirror is ever written in code. Platforms that build
 * Debian images or containers take their mirror from here.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'

/** One `deb` source with the `main` component: where it is and which suite. */
export interface AptSource {
  uri: string
  suite: string
}

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

/** deb822 (`.sources`): stanzas of `Field: values`, split by blank lines. */
function deb822Sources(text: string): AptSource[] {
  const found: AptSource[] = []
  for (const stanza of text.split(/\n\s*\n/)) {
    const field = (name: string) => new RegExp(`^${name}:\\s*(.+)$`, 'mi').exec(stanza)?.[1]?.trim().split(/\s+/) ?? []
    if (!field('Types').includes('deb') || !field('Components').includes('main')) continue
    for (const suite of field('Suites')) for (const uri of field('URIs')) found.push({ uri, suite })
  }
  return found
}

/** One-line (`.list`): `deb [options] URI suite component...`. */
function oneLineSources(text: string): AptSource[] {
  const found: AptSource[] = []
  for (const line of text.split('\n')) {
    const words = line
      .replace(/\[[^\]]*\]/, '')
      .trim()
      .split(/\s+/)
    if (words[0] === 'deb' && words[1] && words[2] && words.slice(3).includes('main'))
      found.push({ uri: words[1], suite: words[2] })
  }
  return found
}

/**
 * Every `deb` source with `main` under `dir` (apt's configuration directory),
 * one-line and deb822 alike, in the order apt reads them; a deb822 stanza
 * gives each of its suites with each of its URIs, in the order written.
 */
export function aptSources(dir = '/etc/apt'): AptSource[] {
  return sourceFiles(dir).flatMap((file) => {
    const text = readFileSync(file, 'utf8')
    return file.endsWith('.sources') ? deb822Sources(text) : oneLineSources(text)
  })
}
