import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { caught } from '../../../test/support/errors.js'
import { bundleConfig } from './bundle.js'

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test/fixtures/guix')
const bad = (file: string) => path.join(FIXTURES, 'syntax', file)

describe('reading a Guix config with Guile before anything remote', () => {
  it.each([
    [
      'unclosed-paren.scm',
      4,
      1,
      'unexpected end of input while searching for: ): the form starting here is never closed',
    ],
    ['extra-close.scm', 5, 29, 'unexpected ")"'],
    ['unterminated-string.scm', 5, 13, 'this string is never closed'],
    ['bad-hash.scm', 3, 22, 'Unknown # object: "#y"'],
    ['bad-character.scm', 3, 20, 'unknown character name semicolon'],
    ['bad-escape.scm', 3, 28, 'invalid character in escape sequence: #\\w'],
    ['unterminated-comment.scm', 2, 1, 'this #| comment is never closed'],
    // Guile stops at the end of the file (7:1); the comment opens inside the form, at 4:3.
    ['comment-in-form.scm', 4, 3, 'this #| comment is never closed'],
    // Guile 3.0 gives no position here ("In procedure integer->char: Argument 1 out of range: 55357").
    ['surrogate-character.scm', 3, 16, '#\\xd83d is not a character (integer->char: Argument 1 out of range: 55357)'],
    // Guile: "5:1: unexpected end of input while reading #; comment".
    ['unterminated-datum-comment.scm', 4, 1, 'this #; comment has no datum after it to comment out'],
    ['misplaced-dot.scm', 3, 23, 'unexpected ")"'],
    [
      'unclosed-vector.scm',
      3,
      1,
      'unexpected end of input while searching for: ): the form starting here is never closed',
    ],
  ])('%s: E_GUIX_SYNTAX at %i:%i', async (file, line, col, message) => {
    const error = await caught(bundleConfig(bad(file)))
    expect(error.code).toBe('E_GUIX_SYNTAX')
    expect(error.message).toBe(`${bad(file)}:${line}:${col}: ${message}`)
    expect(error.where?.file).toBe(bad(file))
  })

  it('a syntax error in a loaded file names that file', async () => {
    const error = await caught(bundleConfig(bad('loads-broken/web.scm')))
    expect(error.code).toBe('E_GUIX_SYNTAX')
    expect(error.message).toBe(`${bad('loads-broken/services.scm')}:3:39: mismatched close paren: ]`)
  })

  it('a loaded file that does not exist is named at the form that loads it', async () => {
    const error = await caught(bundleConfig(bad('loads-missing/web.scm')))
    expect(error.code).toBe('E_GUIX_CONFIG')
    expect(error.message).toBe(`${bad('loads-missing/web.scm')}:2:1: refers to services.scm, which does not exist`)
  })

  it('a file outside the config directory is refused, since it would not be uploaded', async () => {
    const error = await caught(bundleConfig(bad('loads-outside/web.scm')))
    expect(error.code).toBe('E_GUIX_CONFIG')
    expect(error.message).toMatch(/loads-outside\/web\.scm:2:1: \.\.\/\.\.\/secrets\.scm is outside /)
  })

  it('a config with only comments is E_GUIX_CONFIG', async () => {
    const error = await caught(bundleConfig(bad('only-comments.scm')))
    expect(error.code).toBe('E_GUIX_CONFIG')
    expect(error.message).toBe(
      `${bad('only-comments.scm')}:1:1: the file has no expression; it must evaluate to an operating-system`,
    )
  })

  it('a missing config is E_GUIX_CONFIG', async () => {
    expect((await caught(bundleConfig(bad('nowhere.scm')))).code).toBe('E_GUIX_CONFIG')
  })

  it('a good config with gexps reads, and brings the files it loads and refers to', async () => {
    const bundle = await bundleConfig(path.join(FIXTURES, 'good/web.scm'))
    expect(bundle.config).toBe('web.scm')
    expect(bundle.files.map((f) => f.path).sort()).toEqual(['common.scm', 'nginx.conf', 'web.scm'])
  })

  it('files ungexped into a gexp are uploaded; quoted data and staged code are not read for files', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'guix-ops-gexp-'))
    writeFileSync(path.join(dir, 'backup.sh'), '#!/bin/sh\n')
    writeFileSync(
      path.join(dir, 'os.scm'),
      `(define %job #~(job "0 3 * * *" #$(local-file "backup.sh")))
(define %note '(load "not-a-file.scm"))
(define %later #~(begin (load "on-the-host.scm") #t))
(operating-system (host-name "backup"))
`,
    )
    const bundle = await bundleConfig(path.join(dir, 'os.scm'))
    expect(bundle.files.map((f) => f.path).sort()).toEqual(['backup.sh', 'os.scm'])
  })

  it.each(['db.scm', 'web.scm'])('the example %s reads, with common.scm and the files it names', async (file) => {
    const example = path.resolve(FIXTURES, '../../../examples/guix')
    const bundle = await bundleConfig(path.join(example, file))
    const expected =
      file === 'db.scm'
        ? ['common.scm', 'db.scm', 'keys/deploy.pub', 'pg_hba.conf']
        : ['common.scm', 'keys/deploy.pub', 'web.scm']
    expect(bundle.files.map((f) => f.path).sort()).toEqual(expected)
  })
})
