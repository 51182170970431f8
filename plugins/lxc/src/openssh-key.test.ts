import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { execa } from 'execa'
import { afterEach, describe, expect, it } from 'vitest'
import { ed25519KeyPair } from './openssh-key.js'

describe('an ed25519 key pair made in this process', () => {
  let dir: string
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  it("is read by OpenSSH's own ssh-keygen, which derives the same public key and comment from the private file", async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'guix-ops-lxc-openssh-key-'))
    for (const comment of ['root@web', 'root@a-longer-host-name-0123']) {
      const pair = ed25519KeyPair(comment)
      const file = path.join(dir, 'key')
      writeFileSync(file, pair.privateKey, { mode: 0o600 })
      const derived = await execa('ssh-keygen', ['-y', '-f', file])
      expect(`${derived.stdout.trim()}\n`).toBe(pair.publicKey)
      const fingerprint = await execa('ssh-keygen', ['-l', '-f', file])
      expect(fingerprint.stdout).toMatch(new RegExp(`^256 SHA256:\\S+ ${comment} \\(ED25519\\)$`))
    }
  })

  it('is a new key each time', () => {
    expect(ed25519KeyPair('x').publicKey).not.toBe(ed25519KeyPair('x').publicKey)
  })
})
