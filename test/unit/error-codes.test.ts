// Error codes have one home per package: core's in packages/core/src/codes.ts,
// each plugin's in its own src/codes.ts with its name as prefix. Anywhere
// else in the source a code is a constant of those registries, never a
// string, so that the reference (docs/errors.md) lists every code there is.
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { sourceFiles } from '../support/imports.js'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

/** An error (or warning) code in quotes or backquotes: 'E_FOO', "W_FOO", `E_FOO`, and `E_${...}` built from pieces. */
const CODE_LITERAL = /(['"`])([EW]_[A-Z0-9_]*)(?:\1|\$\{)/g

const packageDirs = (parent: string): string[] =>
  readdirSync(path.join(ROOT, parent), { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => path.join(ROOT, parent, e.name))

/** Doc comments name codes as examples; the scan looks at code only. */
const isComment = (line: string): boolean => /^\s*(\/\/|\/\*|\*)/.test(line)

const isRegistry = (file: string): boolean => path.basename(file) === 'codes.ts'
const isTest = (file: string): boolean => file.endsWith('.test.ts')

describe('error codes', () => {
  const dirs = [...packageDirs('packages'), ...packageDirs('plugins')]

  it('are string literals only in the registry files (codes.ts), nowhere else in the source', () => {
    const strays = dirs
      .flatMap((dir) => sourceFiles(path.join(dir, 'src')))
      .filter((file) => !isRegistry(file) && !isTest(file))
      .flatMap((file) =>
        readFileSync(file, 'utf8')
          .split('\n')
          .flatMap((line, i) =>
            [...(isComment(line) ? [] : line.matchAll(CODE_LITERAL))].map(
              (m) => `${path.relative(ROOT, file)}:${i + 1}: ${m[2]}`,
            ),
          ),
      )
    expect(strays).toEqual([])
  })

  it("each plugin declares its codes in src/codes.ts, every one prefixed with the plugin's name", async () => {
    for (const dir of packageDirs('plugins')) {
      const prefix = `E_${path.basename(dir).toUpperCase().replaceAll('-', '_')}_`
      const registry = (await import(path.join(dir, 'src/codes.ts'))) as { errorReference: { code: string }[] }
      expect(registry.errorReference.length, dir).toBeGreaterThan(0)
      expect(registry.errorReference.filter((e) => !e.code.startsWith(prefix)).map((e) => e.code)).toEqual([])
    }
  })

  it('no code is declared by two packages', async () => {
    const registries = [path.join(ROOT, 'packages/core'), ...packageDirs('plugins')]
    const codes: string[] = []
    for (const dir of registries) {
      const registry = (await import(path.join(dir, 'src/codes.ts'))) as { errorReference: { code: string }[] }
      codes.push(...registry.errorReference.map((e) => e.code))
    }
    expect(codes.filter((code, i) => codes.indexOf(code) !== i)).toEqual([])
  })
})
