import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { localPluginArgs } from './plugin-install-args.js'

describe('localPluginArgs', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'guix-ops-install-args-'))
  writeFileSync(path.join(dir, 'acme-1.0.0.tgz'), '')

  it('turns an existing path into a file: spec, in either command spelling', () => {
    const file = `file:${path.join(dir, 'acme-1.0.0.tgz')}`
    expect(localPluginArgs(['plugins', 'install', './acme-1.0.0.tgz', '--json'], dir)).toEqual([
      'plugins',
      'install',
      file,
      '--json',
    ])
    expect(localPluginArgs(['plugins:install', './acme-1.0.0.tgz'], dir)).toEqual(['plugins:install', file])
  })

  it('leaves package names, GitHub slugs that are not paths, URLs and other commands alone', () => {
    for (const argv of [
      ['plugins', 'install', '@acme/guix-ops-cloud'],
      ['plugins', 'install', 'acme/guix-ops-cloud'],
      ['plugins', 'install', 'https://example.org/acme.tgz'],
      ['plugins', 'link', './acme-1.0.0.tgz'],
    ]) {
      expect(localPluginArgs(argv, dir)).toEqual(argv)
    }
  })
})
