/** Streamed output as lines: chunks split anywhere, lines are handed on whole. */

export interface LineSplitter {
  /** Takes the next chunk; hands on every line it completes. */
  push(chunk: string): void
  /** At the end of the stream: hands on the last line if it had no newline. */
  end(): void
}

/**
 * Splits text arriving in chunks into lines (ended by `\n` or `\r\n`, which
 * are not part of the line), holding back a partial last line until the
 * chunk that ends it comes.
 */
export function lineSplitter(onLine: (line: string) => void): LineSplitter {
  let partial = ''
  return {
    push(chunk) {
      const lines = (partial + chunk).split(/\r?\n/)
      partial = lines.pop() ?? ''
      for (const line of lines) onLine(line)
    },
    end() {
      if (partial !== '') onLine(partial)
      partial = ''
    },
  }
}
