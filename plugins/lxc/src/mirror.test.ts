import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { debianMirrors } from './mirror.js'

describe('the Debian mirrors lxc-create is given', () => {
  let dir: string
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  it("are the host release's mirror and the security one, from apt's sources", () => {
    dir = mkdtempSync(path.join(tmpdir(), 'guix-ops-apt-'))
    writeFileSync(
      path.join(dir, 'sources.list'),
      [
        'deb http://up.invalid/debian trixie-updates main',
        'deb http://sec.invalid/debian-security trixie-security main',
        'deb http://main.invalid/debian trixie main',
      ].join('\n'),
    )
    expect(debianMirrors(dir)).toEqual({
      mirror: 'http://main.invalid/debian',
      security: 'http://sec.invalid/debian-security',
    })
  })

  it('without any Debian source is an error naming where it looked', () => {
    dir = mkdtempSync(path.join(tmpdir(), 'guix-ops-apt-'))
    expect(() => debianMirrors(dir)).toThrow(expect.objectContaining({ code: 'E_LXC_MIRROR' }))
  })
})
