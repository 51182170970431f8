/**
 * Guile reports a read error where its reader stopped: one column past the
 * character at fault, the end of a token, or the end of the file. These
 * helpers turn that into where the user should look.
 */

export interface Position {
  line: number
  col: number
}

/** What is still open at the end of the file: a string, a `#|` comment (the outermost), or the last `#;`. */
export interface OpenAtEnd {
  string?: Position
  blockComment?: Position
  datumComment?: Position
}

/**
 * Scans from `from` (where the form Guile failed in starts) to the end of
 * the file as Guile's reader does: strings with `\` escapes, `;` line
 * comments, nested `#| |#` comments, `#\x` characters and `#;` datum
 * comments, and says what was left open.
 */
export function openAtEnd(text: string, from: Position): OpenAtEnd {
  const lines = text.split('\n')
  const found: OpenAtEnd = {}
  let string: Position | undefined
  const comments: Position[] = []
  for (let l = from.line - 1; l < lines.length; l++) {
    const line = lines[l] ?? ''
    for (let c = l === from.line - 1 ? from.col - 1 : 0; c < line.length; c++) {
      const ch = line[c]
      const next = line[c + 1]
      const here = { line: l + 1, col: c + 1 }
      if (string) {
        if (ch === '\\') c++
        else if (ch === '"') string = undefined
      } else if (comments.length > 0) {
        if (ch === '|' && next === '#') {
          comments.pop()
          c++
        } else if (ch === '#' && next === '|') {
          comments.push(here)
          c++
        }
      } else if (ch === ';') break
      else if (ch === '"') string = here
      else if (ch === '#' && next === '\\') c += 2
      else if (ch === '#' && next === '|') {
        comments.push(here)
        c++
      } else if (ch === '#' && next === ';') {
        found.datumComment = here
        c++
      }
    }
  }
  if (string) found.string = string
  if (comments[0]) found.blockComment = comments[0]
  return found
}

/** The `#\` character literal that ends just before `stop` (where Guile's reader stopped). */
export function characterBefore(text: string, stop: Position): { at: Position; token: string } | undefined {
  const line = (text.split('\n')[stop.line - 1] ?? '').slice(0, stop.col - 1)
  const start = line.lastIndexOf('#\\')
  if (start < 0) return undefined
  return { at: { line: stop.line, col: start + 1 }, token: line.slice(start) }
}

/** Where the offending token starts, from Guile's message and position. */
export function tokenStart(message: string, guile: Position): Position {
  const last = { line: guile.line, col: Math.max(1, guile.col - 1) }
  const hash = /^Unknown # object: "(.*)"$/.exec(message)
  if (hash) return { line: last.line, col: Math.max(1, last.col - (hash[1]?.length ?? 1) + 1) }
  const character = /^unknown character name (.*)$/.exec(message)
  if (character) return { line: last.line, col: Math.max(1, last.col - (character[1]?.length ?? 0) - 1) }
  return last
}
