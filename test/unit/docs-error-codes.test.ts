// An error code the docs tell a user to look for must be one guix-ops can
// raise: each `E_...` or `W_...` named in the hand-written docs appears in
// the source of the core, the CLI or a bundled plugin.
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

/** Generated from the code itself, so checked by their own generators. */
const GENERATED = new Set(['docs/commands.md', 'docs/errors.md'])

const DOCS = [
  'README.md',
  ...readdirSync(path.join(ROOT, 'docs')).map((name) => `docs/${name}`),
  ...readdirSync(path.join(ROOT, 'plugins')).map((name) => `plugins/${name}/README.md`),
].filter((doc) => doc.endsWith('.md') && !GENERATED.has(doc))

/** The codes of `acme`, the example platform of docs/writing-a-platform.md, are its own. */
const EXAMPLE_PREFIX = 'E_ACME_'

function sourceText(): string {
  const roots = ['packages', 'plugins'].flatMap((top) =>
    readdirSync(path.join(ROOT, top)).map((name) => path.join(ROOT, top, name, 'src')),
  )
  return roots
    .flatMap((dir) => readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((file) => path.join(dir, file)))
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
    .map((file) => readFileSync(file, 'utf8'))
    .join('\n')
}

describe('error codes in the docs', () => {
  const source = sourceText()
  for (const doc of DOCS) {
    it(`${doc} names only codes guix-ops raises`, () => {
      const text = readFileSync(path.join(ROOT, doc), 'utf8')
      // `E_PLUGIN_*` stands for a family; only whole codes are checked.
      const codes = [...new Set(text.match(/\b[EW]_[A-Z0-9_]*[A-Z0-9]\b(?!\*)/g) ?? [])]
      const raised = codes.filter((code) => !code.startsWith(EXAMPLE_PREFIX))
      expect(raised.filter((code) => !source.includes(`'${code}'`))).toEqual([])
    })
  }
})
