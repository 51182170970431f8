// A file's write, run against this machine's own file system and mkdir: the
// upload fails as SFTP's does when the file's directory is missing.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { RemoteHost } from '@guix-ops/plugin-api'
import { describe, expect, it } from 'vitest'
import type { Action } from './actions.js'
import { runAction } from './apply.js'
import { layoutOf } from './layout.js'

function localHost(calls: string[][]): RemoteHost {
  return {
    exec: async (argv) => {
      calls.push([...argv])
      const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' })
      return { stdout: r.stdout, stderr: r.stderr, code: r.status }
    },
    upload: async (file, content) => {
      calls.push(['upload', file])
      writeFileSync(file, content)
    },
    download: async () => new Uint8Array(),
  }
}

const write = (file: string): Action =>
  ({
    kind: 'file-write',
    path: file,
    file: { content: 'hello\n', mode: '0644', owner: 'root', group: 'root' },
  }) as Action

const options = (seen: string[]) => ({
  packageSource: 'mirror' as const,
  log: () => undefined,
  layout: layoutOf({ deployment: { id: 'd', name: 'd' }, machine: 'm' }),
  owners: new Map([['root:root', '0:0']]),
  seen: new Set(seen),
})

describe('a file write into a directory the plan saw', () => {
  it('makes the directory again and writes the file when it went after the plan', async () => {
    const dir = path.join(mkdtempSync(path.join(tmpdir(), 'guix-ops-apply-')), 'gone')
    const calls: string[][] = []
    await runAction(localHost(calls), write(path.join(dir, 'file')), options([dir]))
    expect(readFileSync(path.join(dir, 'file'), 'utf8')).toBe('hello\n')
    expect(calls).toEqual([
      ['upload', path.join(dir, 'file')],
      ['mkdir', '-p', '--', dir],
      ['upload', path.join(dir, 'file')],
    ])
  })

  it('writes with no command when the directory is there', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'guix-ops-apply-'))
    const calls: string[][] = []
    await runAction(localHost(calls), write(path.join(dir, 'file')), options([dir]))
    expect(calls).toEqual([['upload', path.join(dir, 'file')]])
  })

  it('fails as the upload did for a directory the plan did not see', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'guix-ops-apply-'))
    rmSync(dir, { recursive: true })
    await expect(runAction(localHost([]), write(path.join(dir, 'file')), options([]))).rejects.toThrow(/ENOENT/)
    expect(existsSync(dir)).toBe(false)
  })
})
