import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { injectIdentity } from './inject.js'

const mode = async (file: string) => ((await stat(file)).mode & 0o777).toString(8)

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'guix-ops-lxc-inject-'))
  await mkdir(path.join(dir, 'upper'))
  await mkdir(path.join(dir, 'state'))
})
afterEach(() => rm(dir, { recursive: true, force: true }))

describe("a clone's identity in its upper layer", () => {
  it('makes etc and etc/ssh 0755 under a strict umask, so daemons that are not root can read them', async () => {
    const upper = path.join(dir, 'upper')
    const previous = process.umask(0o077)
    try {
      await injectIdentity(upper, 'web', 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE0 test', path.join(dir, 'state'))
    } finally {
      process.umask(previous)
    }
    for (const d of ['etc', 'etc/ssh', 'etc/ssh/sshd_config.d']) expect(await mode(path.join(upper, d))).toBe('755')
    expect(await mode(path.join(upper, 'root'))).toBe('700')
    expect(await mode(path.join(upper, 'etc/hostname'))).toBe('644')
  })
})
