import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { debianMirror } from './host-apt.js'

describe('the Debian mirror the image builder uses', () => {
  let dir: string
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  it("is the first source of the release itself with main, from apt's deb822 or one-line sources", () => {
    dir = mkdtempSync(path.join(tmpdir(), 'guix-ops-apt-'))
    mkdirSync(path.join(dir, 'sources.list.d'))
    writeFileSync(path.join(dir, 'sources.list'), 'deb http://up.invalid/debian trixie-updates main\n')
    writeFileSync(
      path.join(dir, 'sources.list.d/debian.sources'),
      'Types: deb\nURIs: http://first.invalid/debian http://second.invalid/debian\nSuites: trixie trixie-updates\nComponents: main\n',
    )
    expect(debianMirror('trixie', dir)).toBe('http://first.invalid/debian')
    expect(debianMirror('bookworm', dir)).toBeUndefined()
  })
})
