// The fact-reading script run by this machine's own sh, stat and sha256sum on real files: the same
// commands the host runs, given the same argument arrays.
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { RemoteHost } from '@guix-ops/plugin-api'
import { describe, expect, it } from 'vitest'
import { readFacts } from './facts.js'
import { type Desired, EMPTY_MANAGED } from './model.js'

const here: RemoteHost = {
  exec: async (argv) => {
    const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' })
    return { stdout: r.stdout, stderr: r.stderr, code: r.status }
  },
  upload: async () => {
    throw new Error('facts never write')
  },
  download: async () => {
    throw new Error('facts never read files whole')
  },
}

const sha = (text: string) => createHash('sha256').update(text).digest('hex')
const desired = (files: string[], directories: string[] = []): Desired => ({
  packages: [],
  groups: [],
  users: {},
  files: Object.fromEntries(files.map((f) => [f, { content: '', mode: '0644', owner: 'root', group: 'root' }])),
  directories: Object.fromEntries(directories.map((d) => [d, { mode: '0755', owner: 'root' }])),
  services: {},
  commands: [],
})

describe('readFacts', () => {
  it('reads every file whatever bytes its name holds: backslash, tab, newline, spaces, \\x2d', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'guix-ops-facts-'))
    const names = ['plain', 'srv-my\\x2ddata.mount', 'tab\there', 'new\nline', 'back\\slash', ' spaced ', 'ends\\']
    const files = names.map((name) => path.join(dir, name))
    for (const [i, file] of files.entries()) writeFileSync(file, `content ${i}\n`, { mode: 0o640 })
    const absent = path.join(dir, 'absent\tfile')
    const sub = path.join(dir, 'a\ndir')
    mkdirSync(sub)
    const facts = await readFacts(here, desired([...files, absent, sub], [sub]), EMPTY_MANAGED)
    files.forEach((file, i) => {
      expect(facts.files[file], JSON.stringify(file)).toMatchObject({
        exists: true,
        mode: '640',
        owner: 'root',
        sha256: sha(`content ${i}\n`),
      })
    })
    expect(facts.files[absent]).toEqual({ exists: false })
    expect(facts.files[sub]).toMatchObject({ exists: true, mode: '755' })
    expect(facts.files[sub]?.sha256).toBeUndefined()
    expect(Object.keys(facts.files).sort()).toEqual([...files, absent, sub].sort())
    expect(facts.directories[sub]).toMatchObject({ exists: true })
  })

  it('reads twenty files with one stat and one sha256sum, not one of each per file', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'guix-ops-facts-'))
    const bin = path.join(dir, 'bin')
    mkdirSync(bin)
    const log = path.join(dir, 'started')
    for (const program of ['stat', 'sha256sum']) {
      const real = spawnSync('sh', ['-c', `command -v ${program}`], { encoding: 'utf8' }).stdout.trim()
      writeFileSync(path.join(bin, program), `#!/bin/sh\necho ${program} >> '${log}'\nexec ${real} "$@"\n`, {
        mode: 0o755,
      })
    }
    const counted: RemoteHost = {
      ...here,
      exec: async (argv) => {
        const r = spawnSync(argv[0]!, argv.slice(1), {
          encoding: 'utf8',
          env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
        })
        return { stdout: r.stdout, stderr: r.stderr, code: r.status }
      },
    }
    const files = Array.from({ length: 20 }, (_, i) => path.join(dir, `file ${i}`))
    for (const [i, file] of files.entries()) writeFileSync(file, `content ${i}\n`)
    const facts = await readFacts(counted, desired([...files, path.join(dir, 'absent')], [dir]), EMPTY_MANAGED)
    expect(facts.files[files[7]!]?.sha256).toBe(sha('content 7\n'))
    expect(facts.directories[dir]).toMatchObject({ exists: true })
    expect(readFileSync(log, 'utf8').split('\n').filter(Boolean).sort()).toEqual(['sha256sum', 'stat'])
  })

  it('answers file by file when the one-pass read comes back short', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'guix-ops-facts-'))
    const file = path.join(dir, 'kept')
    writeFileSync(file, 'kept\n', { mode: 0o600 })
    // As if stat had failed on one path (it vanished, or cannot be read): its line is missing.
    const short: RemoteHost = {
      ...here,
      exec: async (argv) => {
        const r = await here.exec(argv)
        return argv[2]?.includes('sha256sum -- "$@"') ? { ...r, stdout: r.stdout.replace(/--\n[^\n]*\n/, '--\n') } : r
      },
    }
    const facts = await readFacts(short, desired([file]), EMPTY_MANAGED)
    expect(facts.files[file]).toMatchObject({
      exists: true,
      mode: '600',
      sha256: sha('kept\n'),
      uid: String(process.getuid?.()),
      gid: String(process.getgid?.()),
    })
  })

  it.skipIf(process.getuid?.() !== 0)(
    "tells where the wanted files go: their directories that exist, and root's ids when stat names them",
    async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'guix-ops-facts-'))
      const sub = path.join(dir, 'sub')
      mkdirSync(sub)
      const file = path.join(sub, 'kept')
      writeFileSync(file, 'kept\n')
      expect(spawnSync('chown', ['nobody', file]).status).toBe(0)
      const facts = await readFacts(here, desired([file, path.join(dir, 'new/absent')]), EMPTY_MANAGED)
      // The directories of both files were read: `sub` exists, `new` does not.
      expect(facts.known?.directories).toEqual([sub])
      // Only the superuser's ids: others are looked up by name when their files are written.
      expect(facts.known?.users).toEqual({ root: '0' })
      expect(facts.known?.groups).toEqual({ root: '0' })
      expect(facts.files[file]).toMatchObject({
        owner: 'nobody',
        uid: spawnSync('id', ['-u', 'nobody'], { encoding: 'utf8' }).stdout.trim(),
      })
      // The files' own facts stay those of the files.
      expect(Object.keys(facts.files).sort()).toEqual([file, path.join(dir, 'new/absent')].sort())
    },
  )

  it('reads no ids from a line whose names hold a space (sssd, winbind): every field after it would shift', async () => {
    const dir = '/srv/shared'
    // What stat prints for a directory of root's, group "office 365" (gid 500123).
    const spaced: RemoteHost = {
      ...here,
      exec: async (argv) =>
        argv[2]?.includes('stat -c')
          ? { code: 0, stdout: 'd\n--\n2775 root office 365 0 500123\n--\n', stderr: '' }
          : here.exec(argv),
    }
    const facts = await readFacts(spaced, desired([], [dir]), EMPTY_MANAGED)
    expect(facts.directories[dir]).toMatchObject({ exists: true, owner: 'root' })
    expect(facts.directories[dir]?.uid).toBeUndefined()
    expect(facts.known?.users).toEqual({})
  })

  it("reads the host's name, the one hostname(1) prints", async () => {
    const facts = await readFacts(here, desired([]), EMPTY_MANAGED)
    expect(facts.hostname).toBe(spawnSync('hostname', { encoding: 'utf8' }).stdout.trim())
  })

  it('gives each file its own checksum where sha256sum does not escape names (busybox): no name can forge a line', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'guix-ops-facts-'))
    const bin = path.join(dir, 'bin')
    mkdirSync(bin)
    // GNU sha256sum, its escaping undone: a newline in a name is printed as it is, as busybox does.
    const real = spawnSync('sh', ['-c', 'command -v sha256sum'], { encoding: 'utf8' }).stdout.trim()
    writeFileSync(path.join(bin, 'sha256sum'), `#!/bin/sh\n${real} "$@" | sed -e 's/^\\\\//' -e 's/\\\\n/\\n/g'\n`, {
      mode: 0o755,
    })
    const plain: RemoteHost = {
      ...here,
      exec: async (argv) => {
        const r = spawnSync(argv[0]!, argv.slice(1), {
          encoding: 'utf8',
          env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
        })
        return { stdout: r.stdout, stderr: r.stderr, code: r.status }
      },
    }
    const forged = sha('forged\n')
    const files = [path.join(dir, `a\n${forged}  w`), path.join(dir, 'b\n--\n'), path.join(dir, 'c')]
    for (const file of files) writeFileSync(file, `${path.basename(file)}\n`)
    const facts = await readFacts(plain, desired(files), EMPTY_MANAGED)
    for (const file of files)
      expect(facts.files[file]?.sha256, JSON.stringify(file)).toBe(sha(`${path.basename(file)}\n`))
  })
})
