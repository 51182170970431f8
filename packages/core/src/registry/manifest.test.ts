import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { readManifest } from './manifest.js'

/** A package dir whose package.json has this `guix-ops` key. */
function pkg(manifest: unknown, name = 'acme'): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'guix-ops-manifest-'))
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', 'guix-ops': manifest }))
  return dir
}
const read = (manifest: unknown) => readManifest({ dir: pkg(manifest), source: 'config' })
const problem = (manifest: unknown) => {
  const { error } = read(manifest)
  return error && { code: error.code, message: error.message, suggestion: error.suggestion }
}
const fix = 'fix the "guix-ops" key of its package.json'

describe('readManifest', () => {
  it('reads platforms, systems and hooks as absolute module paths inside the package', () => {
    const dir = pkg({
      apiVersion: 1,
      platforms: { acme: './dist/p.js' },
      systems: { 'acme-os': './dist/s.js' },
      hooks: './h.js',
    })
    const result = readManifest({ dir, source: 'user' })
    expect(result.error).toBeUndefined()
    expect(result.entries?.map((e) => [e.kind, e.name, e.modulePath, e.source])).toEqual([
      ['platform', 'acme', path.join(dir, 'dist/p.js'), 'user'],
      ['system', 'acme-os', path.join(dir, 'dist/s.js'), 'user'],
    ])
    expect(result.hooks?.modulePath).toBe(path.join(dir, 'h.js'))
  })

  it('takes a package without plugin keys for no plugin', () => {
    expect(read({ other: true })).toEqual({ packageName: 'acme' })
    const dir = mkdtempSync(path.join(tmpdir(), 'guix-ops-manifest-'))
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'plain' }))
    expect(readManifest({ dir, source: 'project' })).toEqual({ packageName: 'plain' })
  })

  it('names the field at fault, in the words it always used', () => {
    const cases: [unknown, string][] = [
      [[1], '"guix-ops" must be an object, got object'],
      ['yes', '"guix-ops" must be an object, got string'],
      [{ apiVersion: '1', platforms: {} }, '"guix-ops.apiVersion" must be a number (this guix-ops speaks 1)'],
      [{ platforms: {} }, '"guix-ops.apiVersion" must be a number (this guix-ops speaks 1)'],
      [{ apiVersion: 1, platforms: ['acme'] }, '"guix-ops.platforms" must map names to module paths'],
      [{ apiVersion: 1, systems: 'acme' }, '"guix-ops.systems" must map names to module paths'],
      [
        { apiVersion: 1, platforms: { Acme: './p.js' } },
        '"guix-ops.platforms.Acme" must be a lower-case name mapped to a module path',
      ],
      [
        { apiVersion: 1, systems: { acme: 3 } },
        '"guix-ops.systems.acme" must be a lower-case name mapped to a module path',
      ],
      [
        { apiVersion: 1, platforms: { acme: '../x.js' } },
        '"guix-ops.platforms.acme" points outside the package: ../x.js',
      ],
      [{ apiVersion: 1, hooks: 5 }, '"guix-ops.hooks" must be a module path'],
      [{ apiVersion: 1, hooks: '/etc/passwd' }, '"guix-ops.hooks" points outside the package: /etc/passwd'],
      [
        { apiVersion: 1, platforms: { acme: 1 }, systems: [] },
        '"guix-ops.platforms.acme" must be a lower-case name mapped to a module path',
      ],
    ]
    for (const [manifest, message] of cases) {
      expect(problem(manifest)).toEqual({
        code: 'E_PLUGIN_MANIFEST',
        message: `plugin acme: ${message}`,
        suggestion: fix,
      })
    }
  })

  it('refuses another API version before anything else, keeping the names it declares', () => {
    const result = read({ apiVersion: 2, platforms: { acme: './p.js', bad: 7 }, systems: { 'acme-os': './s.js' } })
    expect(result.error).toMatchObject({
      code: 'E_PLUGIN_API_VERSION',
      message: 'plugin acme: built for plugin API version 2, but this guix-ops speaks version 1',
      suggestion: undefined,
    })
    expect(result.unusable).toEqual([
      { kind: 'platform', name: 'acme' },
      { kind: 'platform', name: 'bad' },
      { kind: 'system', name: 'acme-os' },
    ])
  })

  it('reports an unreadable package.json by the directory name', () => {
    const dir = path.join(mkdtempSync(path.join(tmpdir(), 'guix-ops-manifest-')), 'gone')
    mkdirSync(dir)
    writeFileSync(path.join(dir, 'package.json'), '{ not json')
    const result = readManifest({ dir, source: 'config' })
    expect(result.packageName).toBe('gone')
    expect(result.error?.message).toMatch(/^plugin gone: cannot read package.json: /)
  })
})
