import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { makeDeploymentKeyPair } from './deployment-key.js'

describe('a deployment key pair', () => {
  let dir: string
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  it('asked for by many machines at once is one whole pair, 0600, and nothing else is left behind', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'guix-ops-key-'))
    const keyDir = path.join(dir, 'keys')
    const pairs = await Promise.all(Array.from({ length: 8 }, () => makeDeploymentKeyPair(keyDir, 'key', 'c@d')))
    expect(new Set(pairs.map((p) => p.publicKey)).size).toBe(1)
    expect(statSync(pairs[0]!.privateKeyPath).mode & 0o777).toBe(0o600)
    expect(statSync(keyDir).mode & 0o777).toBe(0o700)
    const derived = execFileSync('ssh-keygen', ['-y', '-f', pairs[0]!.privateKeyPath], { encoding: 'utf8' })
    // The private half is whole and belongs to the public key handed out (ssh-keygen -y may add the comment).
    const keyOnly = (line: string) => line.split(' ').slice(0, 2).join(' ')
    expect(keyOnly(derived)).toBe(keyOnly(pairs[0]!.publicKey))
    expect(pairs[0]!.publicKey).toMatch(/^ssh-ed25519 \S+ c@d$/)
    expect(execFileSync('ls', [keyDir], { encoding: 'utf8' }).split('\n').filter(Boolean)).toEqual(['key', 'key.pub'])
  }, 20_000)

  it('already made is kept, so an existing deployment keeps its key', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'guix-ops-key-'))
    const file = path.join(dir, 'key')
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'old@d', '-f', file])
    const pair = await makeDeploymentKeyPair(dir, 'key', 'new@d')
    expect(pair.publicKey).toBe(readFileSync(`${file}.pub`, 'utf8').trim())
    expect(pair.publicKey).toMatch(/ old@d$/)
  })
})
