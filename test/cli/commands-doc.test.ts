// docs/commands.md is generated from the built commands (scripts/docs/commands.mjs):
// it must say what the commands say, bundled plugins' commands included, and
// the check must name the command that brings it up to date.
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { execa } from 'execa'
import { afterAll, describe, expect, it } from 'vitest'
import { ROOT } from '../support/cli.js'

const SCRIPT = path.join(ROOT, 'scripts/docs/commands.mjs')
const DOC = path.join(ROOT, 'docs/commands.md')
const scratch = mkdtempSync(path.join(tmpdir(), 'guix-ops-commands-doc-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

const check = (out?: string) =>
  execa('node', [SCRIPT, '--check', ...(out ? ['--out', out] : [])], { cwd: ROOT, reject: false })

describe('docs/commands.md', () => {
  it('equals what the built commands say (else: npm run docs:commands)', async () => {
    const result = await check()
    expect(result.stderr, 'docs/commands.md is stale: run "npm run docs:commands" after npm run build').toBe('')
    expect(result.exitCode).toBe(0)
  })

  it('lists the commands the bundled plugins carry, with their flags and examples', () => {
    const doc = readFileSync(DOC, 'utf8')
    for (const command of ['image build', 'image list', 'image rm', 'import-guix-deploy', 'deploy', 'platform new'])
      expect(doc).toContain(`## \`guix-ops ${command}\``)
    expect(doc).toContain('From `@guix-ops/plugin-qemu` (bundled).')
    expect(doc).toContain('`-d, --deployment NAME`')
    expect(doc).toContain('guix-ops deploy -d shop --dry-run')
    expect(doc).not.toContain('<%')
  })

  it('a copy that differs is reported as stale, naming the command that regenerates it', async () => {
    const stale = path.join(scratch, 'commands.md')
    copyFileSync(DOC, stale)
    writeFileSync(stale, readFileSync(stale, 'utf8').replace('## `guix-ops deploy`', '## `guix-ops deploy-all`'))
    const result = await check(stale)
    expect(result.exitCode).toBe(1)
    expect(result.stderr).toContain('is stale')
    expect(result.stderr).toContain('npm run docs:commands')
  })
})
