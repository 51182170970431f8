// `export --output FILE` replaces FILE whole or not at all: a write that
// fails midway (here the file size limit, as a full disk would) leaves the
// previous export as it was, and the file is 0600 whatever it was before.
// A path that is not a regular file is written through, as a shell's `>`
// would: a symlink stays a link to the file it names, and a pipe (or
// /dev/stdout) is streamed to, never replaced by a file.
import { chmodSync, lstatSync, readdirSync, readFileSync, statSync, symlinkSync } from 'node:fs'
import path from 'node:path'
import { execa, execaSync } from 'execa'
import { describe, expect, it } from 'vitest'
import { BIN, guixOps, oclifDirs, ROOT, tempDir } from '../support/cli.js'

const QUICKSTART = path.join(ROOT, 'examples/quickstart/guix-ops.config.ts')

/** The export command with writes past `bytes` in any file refused (EFBIG), by prlimit from util-linux. */
function exportWithFileSizeLimit(bytes: number, out: string, stateDir: string) {
  return execaSync('prlimit', [`--fsize=${bytes}`, process.execPath, BIN, 'export', '-d', 'quickstart', '-o', out], {
    env: { ...process.env, ...oclifDirs(stateDir), GUIX_OPS_STATE_DIR: stateDir, NO_COLOR: '1' },
    reject: false,
  })
}

describe('export --output', () => {
  it('keeps the previous export when writing the new one fails midway, and says why', () => {
    const stateDir = tempDir()
    expect(guixOps(['create', QUICKSTART], { stateDir }).code).toBe(0)
    const dir = tempDir()
    const out = path.join(dir, 'shop.json')
    expect(guixOps(['export', '-d', 'quickstart', '-o', out], { stateDir }).code).toBe(0)
    const before = readFileSync(out, 'utf8')
    expect(before.length).toBeGreaterThan(400)

    const failed = exportWithFileSizeLimit(200, out, stateDir)
    expect(failed.exitCode).not.toBe(0)
    expect(readFileSync(out, 'utf8')).toBe(before)
    expect(readdirSync(dir)).toEqual(['shop.json'])
    expect(failed.stderr).toContain('E_EXPORT_WRITE')
    expect(failed.stderr).toContain(out)
  })

  it('leaves the file 0600 even when it replaces one that others could read', () => {
    const stateDir = tempDir()
    expect(guixOps(['create', QUICKSTART], { stateDir }).code).toBe(0)
    const out = path.join(tempDir(), 'shop.json')
    expect(guixOps(['export', '-d', 'quickstart', '-o', out], { stateDir }).code).toBe(0)
    chmodSync(out, 0o644)
    expect(guixOps(['export', '-d', 'quickstart', '-o', out], { stateDir }).code).toBe(0)
    expect(statSync(out).mode & 0o777).toBe(0o600)
  })

  it('writes through a symlink to the file it names, and leaves the link in place', () => {
    const stateDir = tempDir()
    expect(guixOps(['create', QUICKSTART], { stateDir }).code).toBe(0)
    const dir = tempDir()
    const target = path.join(dir, 'exports-shop.json')
    const link = path.join(dir, 'latest.json')
    symlinkSync('exports-shop.json', link)
    expect(guixOps(['export', '-d', 'quickstart', '-o', link], { stateDir }).code).toBe(0)
    expect(lstatSync(link).isSymbolicLink()).toBe(true)
    expect(JSON.parse(readFileSync(target, 'utf8')).deployment.name).toBe('quickstart')
    expect(statSync(target).mode & 0o777).toBe(0o600)
  })

  it('streams into a named pipe instead of replacing it with a file', async () => {
    const stateDir = tempDir()
    expect(guixOps(['create', QUICKSTART], { stateDir }).code).toBe(0)
    const fifo = path.join(tempDir(), 'export.pipe')
    execaSync('mkfifo', [fifo])
    const reader = execa('cat', [fifo], { timeout: 30_000 })
    try {
      expect(guixOps(['export', '-d', 'quickstart', '-o', fifo], { stateDir }).code).toBe(0)
      const read = await reader
      expect(JSON.parse(read.stdout).deployment.name).toBe('quickstart')
      expect(lstatSync(fifo).isFIFO()).toBe(true)
    } finally {
      reader.kill()
    }
  })
})
