import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { aptSources } from './apt-sources.js'

describe("this machine's apt sources", () => {
  let dir: string
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  const aptDir = (files: Record<string, string>) => {
    dir = mkdtempSync(path.join(tmpdir(), 'guix-ops-apt-'))
    mkdirSync(path.join(dir, 'sources.list.d'))
    for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text)
    return dir
  }

  it('are read from one-line and deb822 files in apt order, deb with main only', () => {
    const at = aptDir({
      'sources.list': [
        '# deb http://old.invalid/debian bookworm main',
        'deb-src http://src.invalid/debian trixie main',
        'deb [arch=amd64 signed-by=/k.gpg] http://one.invalid/debian trixie main contrib',
        'deb http://one.invalid/debian trixie-backports contrib',
      ].join('\n'),
      'sources.list.d/b.sources': [
        'Types: deb deb-src',
        'URIs: http://b1.invalid/debian http://b2.invalid/debian',
        'Suites: trixie trixie-updates',
        'Components: main',
        '',
        'Types: deb',
        'URIs: http://sec.invalid/debian-security',
        'Suites: trixie-security',
        'Components: main non-free-firmware',
      ].join('\n'),
      'sources.list.d/a.list': 'deb http://a.invalid/debian sid main\n',
      'sources.list.d/c.txt': 'deb http://ignored.invalid/debian sid main\n',
    })
    expect(aptSources(at)).toEqual([
      { uri: 'http://one.invalid/debian', suite: 'trixie' },
      { uri: 'http://a.invalid/debian', suite: 'sid' },
      { uri: 'http://b1.invalid/debian', suite: 'trixie' },
      { uri: 'http://b2.invalid/debian', suite: 'trixie' },
      { uri: 'http://b1.invalid/debian', suite: 'trixie-updates' },
      { uri: 'http://b2.invalid/debian', suite: 'trixie-updates' },
      { uri: 'http://sec.invalid/debian-security', suite: 'trixie-security' },
    ])
  })

  it('are none when apt has no sources', () => {
    expect(aptSources(aptDir({}))).toEqual([])
  })
})
