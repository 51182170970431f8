// The docs send a newcomer from page to page: every relative link in them
// must reach a file that exists and, with a `#fragment`, a heading in it
// (spelled as GitHub makes heading anchors).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

/** Written by its own generator (`npm run docs:errors`), from the error code registries. */
const GENERATED_ELSEWHERE = new Set(['docs/errors.md'])

const DOCS = [
  'README.md',
  'bench/README.md',
  ...readdirSync(path.join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
  ...readdirSync(path.join(ROOT, 'plugins')).map((name) => `plugins/${name}/README.md`),
]

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to dashes. */
function anchorOf(heading: string): string {
  return heading
    .toLowerCase()
    .replaceAll(/[^\p{L}\p{N} _-]/gu, '')
    .replaceAll(' ', '-')
}

function anchorsIn(file: string): Set<string> {
  const text = readFileSync(file, 'utf8').replaceAll(/```[\s\S]*?```/g, '')
  const headings = text.split('\n').filter((line) => /^#{1,6} /.test(line))
  return new Set(headings.map((line) => anchorOf(line.replace(/^#+ /, ''))))
}

/** Relative links `[text](target#fragment)` outside code blocks. */
function linksIn(file: string): string[] {
  const text = readFileSync(file, 'utf8').replaceAll(/```[\s\S]*?```/g, '')
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!).filter((target) => !/^[a-z]+:/.test(target))
}

/** What is wrong with one link, or undefined. */
function brokenLink(doc: string, target: string): string | undefined {
  const [file, fragment] = target.split('#') as [string, string | undefined]
  const resolved = file === '' ? path.join(ROOT, doc) : path.resolve(path.dirname(path.join(ROOT, doc)), file)
  const relative = path.relative(ROOT, resolved)
  if (!existsSync(resolved)) return GENERATED_ELSEWHERE.has(relative) ? undefined : `${target}: no such file`
  if (fragment === undefined || statSync(resolved).isDirectory()) return undefined
  return anchorsIn(resolved).has(fragment) ? undefined : `${target}: no heading with that anchor in ${relative}`
}

describe('links between the docs', () => {
  for (const doc of DOCS.filter((d) => existsSync(path.join(ROOT, d)))) {
    it(`${doc}: every relative link reaches a file and heading that exist`, () => {
      const broken = linksIn(path.join(ROOT, doc))
        .map((target) => brokenLink(doc, target))
        .filter((problem): problem is string => problem !== undefined)
      expect(broken).toEqual([])
    })
  }
})
