import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { deploymentKey } from './keys.js'

describe('the deployment key of the qemu platform', () => {
  let dir: string
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  it('is made once when many machines are provisioned at the same time, and all get the same one', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'guix-ops-qemu-key-'))
    const keys = await Promise.all(Array.from({ length: 8 }, () => deploymentKey(dir, 'fleet')))
    expect(new Set(keys.map((k) => k.publicKey)).size).toBe(1)
    expect(keys[0]!.publicKey).toMatch(/^ssh-ed25519 \S+ guix-ops@fleet$/)
    const privateKeyPath = keys[0]!.privateKeyPath
    expect(path.basename(privateKeyPath)).toBe('qemu-ssh-key')
    expect(statSync(privateKeyPath).mode & 0o777).toBe(0o600)
    // The private half is whole and is the pair of the public key every machine was given.
    const derived = execFileSync('ssh-keygen', ['-y', '-f', privateKeyPath], { encoding: 'utf8' })
    const keyOnly = (line: string) => line.split(' ').slice(0, 2).join(' ')
    expect(keyOnly(derived)).toBe(keyOnly(keys[0]!.publicKey))
  }, 20_000)
})
