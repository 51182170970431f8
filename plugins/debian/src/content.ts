/** A file's content as bytes: text as given, or base64 for bytes that are not UTF-8 text. */
import type { DesiredFile } from './model.js'

type Content = Pick<DesiredFile, 'content' | 'encoding'>

export function fileBytes(file: Content): Buffer {
  return Buffer.from(file.content, file.encoding === 'base64' ? 'base64' : 'utf8')
}

/** Text that survives a UTF-8 round trip stays text (readable in generations); other bytes go as base64. */
export function contentOf(bytes: Buffer): Content {
  const text = bytes.toString('utf8')
  return Buffer.from(text, 'utf8').equals(bytes)
    ? { content: text }
    : { content: bytes.toString('base64'), encoding: 'base64' }
}
