/**
 * What is recorded of a key instead of its value: a salted SHA-256, the
 * same on both sides (here with node, on the host with `sha256sum`), so
 * that `check` and `upload-keys` tell a current key from a stale one
 * without the value ever being written down or sent back.
 */
import { createHash, randomBytes } from 'node:crypto'

export function newSalt(): string {
  return randomBytes(16).toString('hex')
}

/** sha256(salt || value), hex; the host computes `{ printf %s SALT; cat FILE; } | sha256sum`. */
export function keyDigest(salt: string, value: Uint8Array): string {
  return createHash('sha256').update(salt, 'utf8').update(value).digest('hex')
}
