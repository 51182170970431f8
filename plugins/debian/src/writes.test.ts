// The owners of the files to write, looked up with this machine's own getent: the
// command and argument arrays the host is given, run here.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { RemoteHost } from '@guix-ops/plugin-api'
import { describe, expect, it } from 'vitest'
import type { Action } from './actions.js'
import { idsOf, prepareWrites } from './writes.js'

const here = (calls: string[][]): RemoteHost => ({
  exec: async (argv) => {
    calls.push([...argv])
    const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' })
    return { stdout: r.stdout, stderr: r.stderr, code: r.status }
  },
  upload: async () => undefined,
  download: async () => new Uint8Array(),
})

const write = (file: string, owner: string, group: string) =>
  ({ kind: 'file-write', path: file, file: { content: '', mode: '0644', owner, group } }) as unknown as Action

describe('prepareWrites', () => {
  it('makes every directory and reads every owner with one command per kind, whatever the number of files', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'guix-ops-writes-'))
    const calls: string[][] = []
    const actions = [
      write(path.join(dir, 'a/b/one'), 'root', 'root'),
      write(path.join(dir, 'a/b/two'), 'root', 'root'),
      write(path.join(dir, 'c d/three'), 'nobody', 'nogroup'),
      write(path.join(dir, 'e/four'), 'no-such-user-here', 'root'),
    ]
    const ids = await prepareWrites(here(calls), actions)
    expect(existsSync(path.join(dir, 'a/b'))).toBe(true)
    expect(existsSync(path.join(dir, 'c d'))).toBe(true)
    expect(ids.get('root:root')).toBe('0:0')
    expect(ids.get('nobody:nogroup')).toBe('65534:65534')
    expect(ids.has('no-such-user-here:root')).toBe(false)
    expect(calls.map((c) => c.slice(0, 2))).toEqual([
      ['mkdir', '-p'],
      ['getent', 'passwd'],
      ['getent', 'group'],
    ])
  })

  it('asks the host nothing when the plan read every directory and owner already', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'guix-ops-writes-'))
    const calls: string[][] = []
    const known = { directories: [dir], users: { root: '0' }, groups: { root: '0' } }
    const ids = await prepareWrites(here(calls), [write(path.join(dir, 'one'), 'root', 'root')], known)
    expect(ids.get('root:root')).toBe('0:0')
    expect(calls).toEqual([])
  })

  it('asks only for what the plan did not read', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'guix-ops-writes-'))
    const calls: string[][] = []
    const known = { directories: [dir], users: { root: '0' }, groups: { root: '0' } }
    const actions = [write(path.join(dir, 'one'), 'root', 'root'), write(path.join(dir, 'new/two'), 'nobody', 'root')]
    const ids = await prepareWrites(here(calls), actions, known)
    expect(existsSync(path.join(dir, 'new'))).toBe(true)
    expect(ids.get('nobody:root')).toBe('65534:0')
    expect(calls).toEqual([
      ['mkdir', '-p', '--', path.join(dir, 'new')],
      ['getent', 'passwd', '--', 'nobody'],
    ])
  })

  it('reads the owners again when the run itself adds or removes users or groups', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'guix-ops-writes-'))
    const calls: string[][] = []
    // As stale as a plan's reads can get: the run's useradd may give a name another id.
    const known = { directories: [dir], users: { root: '12345' }, groups: { root: '12345' } }
    const adds = { kind: 'group-add', name: 'staff-here' } as Action
    const ids = await prepareWrites(here(calls), [adds, write(path.join(dir, 'one'), 'root', 'root')], known)
    expect(ids.get('root:root')).toBe('0:0')
    expect(calls.map((c) => c.slice(0, 2))).toEqual([
      ['mkdir', '-p'],
      ['getent', 'passwd'],
      ['getent', 'group'],
    ])
  })

  it('fails naming what it was doing when a directory cannot be made', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'guix-ops-writes-'))
    spawnSync('touch', [path.join(dir, 'file')])
    await expect(prepareWrites(here([]), [write(path.join(dir, 'file/inside'), 'root', 'root')])).rejects.toThrow(
      /creating the directories of the files to write failed/,
    )
  })
})

describe('idsOf', () => {
  it('finds a key by name, or by number when no entry has that name', () => {
    const passwd =
      'root:x:0:0:root:/root:/bin/sh\n1000:x:2000:2000::/home/odd:/bin/sh\nalice:x:1000:1000::/home/a:/bin/sh\n'
    expect(idsOf(passwd, ['root', '1000', '2000', 'bob'])).toEqual(
      new Map([
        ['root', '0'],
        ['1000', '2000'],
        ['2000', '2000'],
      ]),
    )
  })
})
