/**
 * Reads Scheme files with the local Guile, evaluating nothing, and turns a
 * read error into `file:line:col: message` with the code E_GUIX_SYNTAX.
 */
import { readFileSync } from 'node:fs'
import { GuixOpsError } from '@guix-ops/plugin-api'
import { GuixError } from '../codes.js'
import type { Datum } from './datum.js'
import { characterBefore, openAtEnd, type Position, tokenStart } from './position.js'
import { READER_SCRIPT } from './reader-script.js'

export const GUILE: string = process.env.GUIX_OPS_GUILE ?? 'guile'

interface FileResult {
  data?: Datum[]
  error?: string
  /** Where the top-level form the error is in starts. */
  form?: Position
  /** Where Guile's reader stopped. */
  stop?: Position
}

async function runGuile(files: string[]): Promise<string> {
  // Loaded here, not at the top: only reading .scm files runs Guile.
  const { execa } = await import('execa')
  const result = await execa(GUILE, ['--no-auto-compile', '-c', READER_SCRIPT, '--', ...files], {
    maxBuffer: 64 * 1024 * 1024,
    env: { GUILE_AUTO_COMPILE: '0' },
    stripFinalNewline: false,
    reject: false,
  })
  if (result.code === 'ENOENT')
    throw new GuixOpsError(GuixError.Guile, `guix: "${GUILE}" is not on PATH: it reads .scm files before deploying`, {
      suggestion: 'install Guile 3.0 (the guile-3.0 package on Debian)',
    })
  if (result.failed)
    throw new GuixOpsError(GuixError.Guile, `guix: guile failed: ${result.stderr.trim() || result.shortMessage}`)
  return result.stdout
}

/** For input that ends while something is open: what opened it, and where. */
function unclosed(file: string, message: string, form: Position): { at: Position; message: string } {
  const open = openAtEnd(readFileSync(file, 'utf8'), form)
  if (/reading string/.test(message) && open.string) return { at: open.string, message: 'this string is never closed' }
  if (/#; comment/.test(message) && open.datumComment)
    return { at: open.datumComment, message: 'this #; comment has no datum after it to comment out' }
  if (/#\|/.test(message) && open.blockComment)
    return { at: open.blockComment, message: 'this #| comment is never closed' }
  return { at: form, message: `${message}: the form starting here is never closed` }
}

/** Guile 3.0 reads `#\xd83d` with integer->char, whose error carries no position: find the literal. */
function outOfRangeCharacter(file: string, message: string, stop: Position | undefined) {
  if (!stop || !/out of range/.test(message)) return undefined
  const literal = characterBefore(readFileSync(file, 'utf8'), stop)
  if (!literal) return undefined
  return { at: literal.at, message: `${literal.token} is not a character (integer->char: ${message})` }
}

/** Where a read error is: the token at fault, or for an unclosed form, string or comment, where it opens. */
function syntaxError(file: string, result: FileResult): GuixOpsError {
  const raw = result.error ?? 'unreadable'
  const match = /^.*?:(\d+):(\d+): (.*)$/s.exec(raw)
  let message = match?.[3] ?? raw
  let at: Position = { line: Number(match?.[1] ?? 1), col: Number(match?.[2] ?? 1) }
  const character = match ? undefined : outOfRangeCharacter(file, message, result.stop)
  if (/end of input|unterminated/.test(message) && result.form) ({ at, message } = unclosed(file, message, result.form))
  else if (character) ({ at, message } = character)
  else if (match) at = tokenStart(message, at)
  return new GuixOpsError(GuixError.Syntax, `${file}:${at.line}:${at.col}: ${message}`, {
    where: { file },
    suggestion: 'fix the syntax of the file; guix-ops reads it with Guile before contacting any host',
  })
}

/** The data of each file, in order; throws E_GUIX_SYNTAX for the first file that does not read. */
export async function readSchemeFiles(files: string[]): Promise<Datum[][]> {
  if (files.length === 0) return []
  const lines = (await runGuile(files)).split('\n').filter((l) => l.trim() !== '')
  return files.map((file, i) => {
    const result = JSON.parse(lines[i] ?? '{"error":"no output from guile"}') as FileResult
    if (result.data === undefined) throw syntaxError(file, result)
    return result.data
  })
}
