/**
 * SSH host keys as guix-ops pins them: the OpenSSH one-line form
 * (`ssh-ed25519 AAAA...`), compared exactly, shown by SHA256 fingerprint
 * as `ssh-keygen -l` does.
 */
import { createHash } from 'node:crypto'

/** `ssh-ed25519 AAAA...` from the raw key blob a server presents. */
export function formatHostKey(blob: Buffer): string {
  const length = blob.length >= 4 ? blob.readUInt32BE(0) : 0
  const type = blob.subarray(4, 4 + length).toString('latin1')
  return `${type || 'unknown'} ${blob.toString('base64')}`
}

/** The type and base64 parts of a pinned key, ignoring any trailing comment. */
export function parseHostKey(line: string): { type: string; base64: string } | undefined {
  const [type, base64] = line.trim().split(/\s+/)
  if (!type || !base64 || !/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) return undefined
  return { type, base64 }
}

/** `SHA256:...` of a pinned key, as `ssh-keygen -lf` prints it. */
export function fingerprint(line: string): string {
  const parsed = parseHostKey(line)
  if (!parsed) return 'SHA256:(unparseable key)'
  const digest = createHash('sha256').update(Buffer.from(parsed.base64, 'base64')).digest('base64')
  return `SHA256:${digest.replace(/=+$/, '')}`
}

/** True when both name the same key (type and key bytes). */
export function sameHostKey(a: string, b: string): boolean {
  const x = parseHostKey(a)
  const y = parseHostKey(b)
  return x !== undefined && y !== undefined && x.type === y.type && x.base64 === y.base64
}
