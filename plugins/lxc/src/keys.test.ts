import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { deploymentKey, keygen } from './keys.js'

describe('the deployment key of the lxc platform', () => {
  let dir: string
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  it('is made once when many machines are provisioned at the same time, and all get the same one', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'guix-ops-lxc-key-'))
    const keys = await Promise.all(Array.from({ length: 8 }, () => deploymentKey(dir, 'fleet')))
    expect(new Set(keys.map((k) => k.publicKey)).size).toBe(1)
    expect(keys[0]!.publicKey).toMatch(/^ssh-ed25519 \S+ guix-ops@fleet$/)
    expect(statSync(keys[0]!.privateKeyPath).mode & 0o777).toBe(0o600)
  })

  it("writes a machine's host key readable by root alone, and its public half beside it", async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'guix-ops-lxc-key-'))
    const file = path.join(dir, 'ssh-host-key')
    await keygen(file, 'root@web')
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(readFileSync(file, 'utf8')).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----\n/)
    expect(readFileSync(`${file}.pub`, 'utf8')).toMatch(/^ssh-ed25519 \S+ root@web\n$/)
  })
})
