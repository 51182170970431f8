import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { scaffoldPlatform } from './platform.js'

const templateDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../cli/templates/platform')
const scratch = () => mkdtempSync(path.join(tmpdir(), 'guix-ops-scaffold-'))

describe('scaffoldPlatform', () => {
  it('writes the package with its names filled in, the scope left out of the dir', () => {
    const cwd = scratch()
    const made = scaffoldPlatform({ name: 'hetzner-cloud', packageName: '@acme/hetzner', cwd, templateDir })
    expect(made.dir).toBe(path.join(cwd, 'hetzner'))
    const pkg = JSON.parse(readFileSync(path.join(made.dir, 'package.json'), 'utf8'))
    expect(pkg.name).toBe('@acme/hetzner')
    expect(pkg['guix-ops'].platforms).toEqual({ 'hetzner-cloud': './dist/platform.js' })
    const source = readFileSync(path.join(made.dir, 'src/platform.ts'), 'utf8')
    expect(source).toContain("name: 'hetzner-cloud'")
    expect(source).toContain('new GuixOpsError(ErrorCode.Todo,')
    const codes = readFileSync(path.join(made.dir, 'src/codes.ts'), 'utf8')
    expect(codes).toContain("Todo: 'E_HETZNER_CLOUD_TODO'")
    expect(codes).toContain("describeErrorCodes('E_HETZNER_CLOUD_', ErrorCode,")
    expect(codes).not.toMatch(/\{\{\w+\}\}/)
    expect(source).not.toMatch(/\{\{\w+\}\}/)
    expect(readFileSync(path.join(made.dir, 'README.md'), 'utf8')).toContain('./acme-hetzner-0.1.0.tgz')
    expect(made.files).toContain('.gitignore')
  })

  it('refuses bad platform and package names, writing nothing', () => {
    const cwd = scratch()
    for (const name of ['Acme', '-acme', 'ac me', 'a'.repeat(65)]) {
      expect(() => scaffoldPlatform({ name, cwd, templateDir })).toThrow(
        expect.objectContaining({ code: 'E_INVALID_NAME', message: `invalid platform name "${name}"` }),
      )
    }
    for (const packageName of ['Acme', 'acme platform', '.acme', '@acme', 'node_modules']) {
      expect(() => scaffoldPlatform({ name: 'acme', packageName, cwd, templateDir })).toThrow(
        `invalid npm package name "${packageName}"`,
      )
    }
    expect(() => readFileSync(path.join(cwd, 'guix-ops-platform-acme/package.json'))).toThrow()
  })

  it('writes into an empty dir, and refuses a dir in use or a file', () => {
    const cwd = scratch()
    mkdirSync(path.join(cwd, 'empty'))
    expect(scaffoldPlatform({ name: 'acme', dir: 'empty', cwd, templateDir }).files.length).toBeGreaterThan(0)
    mkdirSync(path.join(cwd, 'used'))
    writeFileSync(path.join(cwd, 'used', 'notes.txt'), 'mine')
    expect(() => scaffoldPlatform({ name: 'acme', dir: 'used', cwd, templateDir })).toThrow(
      expect.objectContaining({ code: 'E_SCAFFOLD_TARGET', message: expect.stringContaining('is not empty') }),
    )
    expect(readFileSync(path.join(cwd, 'used', 'notes.txt'), 'utf8')).toBe('mine')
    writeFileSync(path.join(cwd, 'file'), '')
    expect(() => scaffoldPlatform({ name: 'acme', dir: 'file', cwd, templateDir })).toThrow(
      'exists and is not a directory',
    )
  })
})
