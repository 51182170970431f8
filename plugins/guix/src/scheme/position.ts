/**
 * Guile reports a read error where its reader stopped: one column past the
 * character at fault, the end of a token, or the end of the file. These
 * helpers turn that into where the user should look.
 */

export interface Position {
  line: number
  col: number
}

/** The opening quote of the string still open at the end of the file, scanning from `from`. */
export function unclosedString(text: string, from: Position): Position | undefined {
  const lines = text.split('\n')
  let open: Position | undefined
  let inString = false
  let blockComment = 0
  for (let l = from.line - 1; l < lines.length; l++) {
    const line = lines[l] ?? ''
    for (let c = l === from.line - 1 ? from.col - 1 : 0; c < line.length; c++) {
      const ch = line[c]
      if (inString) {
        if (ch === '\\') c++
        else if (ch === '"') inString = false
      } else if (blockComment > 0) {
        if (ch === '|' && line[c + 1] === '#') {
          blockComment--
          c++
        }
      } else if (ch === ';') break
      else if (ch === '#' && line[c + 1] === '\\') c += 2
      else if (ch === '#' && line[c + 1] === '|') {
        blockComment++
        c++
      } else if (ch === '"') {
        inString = true
        open = { line: l + 1, col: c + 1 }
      }
    }
  }
  return inString ? open : undefined
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
