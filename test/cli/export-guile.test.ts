// The s-expression export is read back by a real Guile, as a Guix user would.
import { spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { guixOps, ROOT, tempDir } from '../support/cli.js'

const guile = spawnSync('guile', ['--version']).status === 0
if (!guile)
  console.warn('skipping the Guile read-back of sexp exports: guile is not installed (apt-get install guile-3.0)')

describe.skipIf(!guile)('export --format sexp, read by Guile', () => {
  it('reads back names, nested machines and awkward strings', () => {
    const stateDir = tempDir()
    const config = path.join(tempDir(), 'guix-ops.config.ts')
    const quickstart = readFileSync(path.join(ROOT, 'examples/quickstart/guix-ops.config.ts'), 'utf8')
    writeFileSync(
      config,
      quickstart
        .replace(/description: '[^']*'/, `description: 'say "hi" \\\\ to Ünïcode'`)
        .replace("tags: ['data']", "tags: ['data', 'primary']"),
    )
    expect(guixOps(['create', config], { stateDir }).code).toBe(0)
    const out = path.join(tempDir(), 'qs.scm')
    expect(guixOps(['export', '-d', 'quickstart', '--format', 'sexp', '-o', out], { stateDir }).code).toBe(0)
    const program = `
      (let* ((doc (call-with-input-file "${out}" read))
             (d (assoc-ref doc "deployment")))
        (write (list (assoc-ref d "name")
                     (assoc-ref d "description")
                     (map car (assoc-ref d "machines"))
                     (assoc-ref (assoc-ref (assoc-ref d "machines") "web") "platform"))))`
    const result = spawnSync('guile', ['-c', program], { encoding: 'utf8', env: { ...process.env, LANG: 'C.UTF-8' } })
    expect(result.stderr).toBe('')
    expect(result.stdout).toBe('("quickstart" "say \\"hi\\" \\\\ to Ünïcode" ("db" "web") "qemu")')
  })
})
