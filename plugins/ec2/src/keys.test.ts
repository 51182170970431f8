import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { deploymentKey, privateKeyPath } from './keys.js'

describe("the deployment's SSH key", () => {
  const dirs: string[] = []
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
  })

  it('made by several machines at once is one key, 0600, used by all', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'guix-ops-ec2-key-'))
    dirs.push(dir)
    const owner = (machine: string) => ({ deployment: { id: 'd', name: 'shop' }, machine })
    const keys = await Promise.all(['web', 'db', 'cache', 'mail'].map((m) => deploymentKey(dir, owner(m))))
    expect(new Set(keys).size).toBe(1)
    expect(keys[0]).toMatch(/^ssh-ed25519 \S+ guix-ops@shop$/)
    expect(statSync(privateKeyPath(dir)).mode & 0o777).toBe(0o600)
  }, 20_000)
})
