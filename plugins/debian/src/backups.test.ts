// Originals kept and read back by this machine's own sh, cp and mv, in a temp dir standing for
// the machine's backup directory: the scripts and argument arrays the host is given.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { RemoteHost } from '@guix-ops/plugin-api'
import { describe, expect, it } from 'vitest'
import { backupPath, readTaken, takeOriginals } from './backups.js'
import { layoutOf } from './layout.js'

function here(calls: string[][]): RemoteHost {
  return {
    exec: async (argv) => {
      calls.push([...argv])
      const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' })
      return { stdout: r.stdout, stderr: r.stderr, code: r.status }
    },
    upload: async () => undefined,
    download: async () => new Uint8Array(),
  }
}

function scene() {
  const dir = mkdtempSync(path.join(tmpdir(), 'guix-ops-backups-'))
  const owner = { deployment: { id: '0f5c2a9e-1111-2222-3333-444455556666', name: 'shop' }, machine: 'web' }
  const layout = { ...layoutOf(owner), backup: path.join(dir, 'state/backup') }
  return { dir, layout }
}

describe('takeOriginals', () => {
  it('keeps every original or marks it absent in one command, and never overwrites a kept one', async () => {
    const { dir, layout } = scene()
    const present = path.join(dir, 'motd')
    const odd = path.join(dir, ' new\nline -x\\t ends in a newline\n')
    const absent = path.join(dir, 'absent')
    writeFileSync(present, 'original\n')
    writeFileSync(odd, 'odd\n')
    const calls: string[][] = []
    await takeOriginals(here(calls), layout, [present, odd, absent])
    expect(calls).toHaveLength(1)
    expect(readFileSync(backupPath(layout, present), 'utf8')).toBe('original\n')
    expect(readFileSync(backupPath(layout, odd), 'utf8')).toBe('odd\n')
    expect(existsSync(`${backupPath(layout, absent)}.absent`)).toBe(true)

    writeFileSync(present, 'written by guix-ops\n')
    writeFileSync(absent, 'written by guix-ops\n')
    await takeOriginals(here([]), layout, [present, absent])
    expect(readFileSync(backupPath(layout, present), 'utf8')).toBe('original\n')
    expect(existsSync(backupPath(layout, absent))).toBe(false)
    expect(await readTaken(here([]), layout, [])).toEqual({
      [present]: 'original',
      [odd]: 'original',
      [absent]: 'absent',
    })
  })

  it('fails, naming the file, when its original cannot be kept', async () => {
    const { dir, layout } = scene()
    const file = path.join(dir, 'motd')
    writeFileSync(file, 'original\n')
    // The backup directory's place is taken by a file: nothing can be kept there.
    writeFileSync(path.join(dir, 'state'), 'not a directory\n')
    await expect(takeOriginals(here([]), layout, [file])).rejects.toThrow(/keeping the original of .*motd failed/)
  })
})
