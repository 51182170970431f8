/**
 * An ed25519 key pair made in this process (node:crypto) and written as
 * `ssh-keygen -t ed25519 -N ''` writes one: the private key in OpenSSH's own
 * format, unencrypted (`openssh-key-v1`, PROTOCOL.key in OpenSSH's source:
 * cipher and KDF "none", one key, check integers, the key, its comment,
 * padding 1, 2, 3... to a multiple of 8), the public key as one
 * `ssh-ed25519 AAAA... comment` line. Each container gets a host key: made
 * here, a fleet's keys cost no process each.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto'

const KEY_TYPE = 'ssh-ed25519'

function uint32(n: number): Buffer {
  const b = Buffer.alloc(4)
  b.writeUInt32BE(n)
  return b
}

/** An SSH wire-format string (RFC 4251, 5): its length, then its bytes. */
function sshString(data: Buffer | string): Buffer {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data
  return Buffer.concat([uint32(bytes.length), bytes])
}

function privateSection(publicKey: Buffer, seed: Buffer, comment: string): Buffer {
  const check = randomBytes(4)
  const body = Buffer.concat([
    check,
    check,
    sshString(KEY_TYPE),
    sshString(publicKey),
    sshString(Buffer.concat([seed, publicKey])),
    sshString(comment),
  ])
  const padding = Buffer.from(Array.from({ length: (8 - (body.length % 8)) % 8 }, (_, i) => i + 1))
  return Buffer.concat([body, padding])
}

export interface OpensshKeyPair {
  /** The private key file's text (`-----BEGIN OPENSSH PRIVATE KEY-----`...). */
  privateKey: string
  /** The public key file's line, `ssh-ed25519 AAAA... comment`, with its newline. */
  publicKey: string
}

export function ed25519KeyPair(comment: string): OpensshKeyPair {
  const jwk = generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' })
  const seed = Buffer.from(jwk.d!, 'base64url')
  const publicKey = Buffer.from(jwk.x!, 'base64url')
  const publicBlob = Buffer.concat([sshString(KEY_TYPE), sshString(publicKey)])
  const file = Buffer.concat([
    Buffer.from('openssh-key-v1\0'),
    sshString('none'),
    sshString('none'),
    sshString(''),
    uint32(1),
    sshString(publicBlob),
    sshString(privateSection(publicKey, seed, comment)),
  ])
  const lines = file.toString('base64').match(/.{1,70}/g) ?? []
  return {
    privateKey: `-----BEGIN OPENSSH PRIVATE KEY-----\n${lines.join('\n')}\n-----END OPENSSH PRIVATE KEY-----\n`,
    publicKey: `${KEY_TYPE} ${publicBlob.toString('base64')} ${comment}\n`,
  }
}
