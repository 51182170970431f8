import { spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { SAFETY_SCRIPT } from './safety-check.js'

// Local Guile runs the script against small stand-ins of the Guix modules it uses
// (test/fixtures/guix/stub-modules): what is checked is how the config is loaded.
const STUBS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test/fixtures/guix/stub-modules')

function runScript(config: string): { code: number | null; stdout: string; stderr: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'guix-ops-safety-'))
  writeFileSync(path.join(dir, 'safety-check.scm'), SAFETY_SCRIPT)
  writeFileSync(path.join(dir, 'config.scm'), config)
  // As `guix repl -- SCRIPT CONFIG`: (command-line) is the script, then its arguments.
  const result = spawnSync('guile', ['--no-auto-compile', '-L', STUBS, 'safety-check.scm', 'config.scm'], {
    cwd: dir,
    encoding: 'utf8',
  })
  return { code: result.status, stdout: result.stdout, stderr: result.stderr }
}

describe('the safety-check script', () => {
  it('loads a config with the modules guix system reconfigure provides, without its own use-modules for them', () => {
    const result = runScript(`(use-modules (gnu system file-systems) (gnu system uuid) (gnu bootloader))
(operating-system
  (users (list (user-account (name "alice"))))
  (services %base-services)
  (bootloader (bootloader-configuration (targets '("/dev/vda"))))
  (file-systems (cons* (file-system (device (uuid "1234-ABCD")) (mount-point "/") (type "ext4"))
                       (file-system (device (file-system-label "data")) (mount-point "/data") (type "ext4"))
                       (file-system (device "/dev/sdb1") (mount-point "/srv") (type "ext4"))
                       %base-file-systems)))
`)
    expect(result.stderr).not.toMatch(/Unbound variable/)
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout.split('\n').filter(Boolean)).toEqual([
      'uuid 1234-ABCD',
      'label data',
      'device /dev/sdb1',
      'bootloader /dev/vda',
    ])
  })

  it('leaves out the file systems guix system reconfigure does not check: pseudo ones', () => {
    const result = runScript(`(use-modules (gnu system file-systems) (gnu bootloader))
(operating-system
  (bootloader (bootloader-configuration (targets '())))
  (file-systems (list (file-system (device "/dev/shm-like") (mount-point "/tmp") (type "tmpfs")))))
`)
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toBe('')
  })
})
