/**
 * Reads Scheme files with the local Guile, evaluating nothing, and turns a
 * read error into `file:line:col: message` with the code E_GUIX_SYNTAX.
 */
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { GuixOpsError } from '@guix-ops/plugin-api'
import type { Datum } from './datum.js'
import { type Position, tokenStart, unclosedString } from './position.js'
import { READER_SCRIPT } from './reader-script.js'

export const GUILE: string = process.env.GUIX_OPS_GUILE ?? 'guile'

interface FileResult {
  data?: Datum[]
  error?: string
  form?: { line: number; col: number }
}

function runGuile(files: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      GUILE,
      ['--no-auto-compile', '-c', READER_SCRIPT, '--', ...files],
      { maxBuffer: 64 * 1024 * 1024, env: { ...process.env, GUILE_AUTO_COMPILE: '0' } },
      (error, stdout, stderr) => {
        if ((error as NodeJS.ErrnoException | null)?.code === 'ENOENT')
          reject(
            new GuixOpsError('E_GUIX_GUILE', `guix: "${GUILE}" is not on PATH: it reads .scm files before deploying`, {
              suggestion: 'install Guile 3.0 (the guile-3.0 package on Debian)',
            }),
          )
        else if (error)
          reject(new GuixOpsError('E_GUIX_GUILE', `guix: guile failed: ${stderr.trim() || error.message}`))
        else resolve(stdout)
      },
    )
  })
}

/** Where a read error is: the token at fault, or for an unclosed form or string, where it opens. */
function syntaxError(file: string, result: FileResult): GuixOpsError {
  const raw = result.error ?? 'unreadable'
  const match = /^.*?:(\d+):(\d+): (.*)$/s.exec(raw)
  let message = match?.[3] ?? raw
  let at: Position = { line: Number(match?.[1] ?? 1), col: Number(match?.[2] ?? 1) }
  if (/end of input|unterminated/.test(message) && result.form) {
    const string = /reading string/.test(message) ? unclosedString(readFileSync(file, 'utf8'), result.form) : undefined
    at = string ?? result.form
    message = string
      ? 'this string is never closed'
      : /comment/.test(message)
        ? 'this #| comment is never closed'
        : `${message}: the form starting here is never closed`
  } else if (match) {
    at = tokenStart(message, at)
  }
  return new GuixOpsError('E_GUIX_SYNTAX', `${file}:${at.line}:${at.col}: ${message}`, {
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
