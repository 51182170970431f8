// Moving an earlier version's single record set into a machine's directory
// must survive the shell running it being killed at any step: re-run (by the
// same machine or by another owner of the host), the records end up whole in
// exactly one directory, and none are left behind in the old place. The
// script runs here against a temp root; a crash is a SIGKILL of the script's
// shell just before its Nth file-system command.
import { spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { RemoteHost } from '@guix-ops/plugin-api'
import { describe, expect, it } from 'vitest'
import { layoutOf } from './layout.js'
import { adoptLegacyRecords, inForceNumber } from './owners.js'

const COMMANDS = ['cp', 'mv', 'rm', 'install', 'chmod', 'sync']

const LEGACY: Record<string, string> = {
  current: '2\n',
  'generations/1.json': '{"number":1}\n',
  'generations/2.json': '{"number":2}\n',
  'backup/etc/motd': 'original motd\n',
  'rollback.sh': '#!/bin/sh\n',
}

/** Wrappers that count file-system commands and kill the calling shell at number `CRASH_AT`. */
function crashingPath(dir: string): string {
  const bin = path.join(dir, 'bin')
  mkdirSync(bin)
  for (const name of COMMANDS) {
    const real = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim()
    const script = [
      '#!/bin/sh',
      'n=$(($(cat "$COUNTER") + 1)); echo "$n" > "$COUNTER"',
      'if [ "$n" -eq "$CRASH_AT" ]; then kill -KILL "$PPID"; exit 137; fi',
      `exec ${real} "$@"`,
    ].join('\n')
    writeFileSync(path.join(bin, name), `${script}\n`)
    chmodSync(path.join(bin, name), 0o755)
  }
  return bin
}

/** A host that is this machine: commands run here, the wrappers first on PATH when crashing. */
function localHost(env: Record<string, string>): RemoteHost {
  return {
    async exec(argv) {
      const result = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', env: { ...process.env, ...env } })
      return { code: result.status, stdout: result.stdout, stderr: result.stderr }
    },
    upload: () => Promise.reject(new Error('not used')),
    download: () => Promise.reject(new Error('not used')),
  }
}

function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue
    const file = path.join(entry.parentPath, entry.name)
    out[path.relative(dir, file)] = readFileSync(file, 'utf8')
  }
  return out
}

const owner = (machine: string) => ({
  deployment: { id: 'd0000000-0000-4000-8000-000000000000', name: 'shop' },
  machine,
})

function legacyRoot(work: string): string {
  const root = path.join(work, 'root')
  for (const [file, content] of Object.entries(LEGACY)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true })
    writeFileSync(path.join(root, file), content)
  }
  return root
}

/** Where the records are now: each owner's directory that holds any, and any left in the old place. */
function whereRecordsAre(root: string, machines: string[]) {
  const holders = machines.filter((m) => existsSync(path.join(root, owner(m).deployment.id, m, 'current')))
  const leftInRoot = Object.keys(LEGACY)
    .map((file) => file.split('/')[0]!)
    .filter((entry) => existsSync(path.join(root, entry)))
  return { holders, leftInRoot: [...new Set(leftInRoot)] }
}

/** Crashes the move into `db` at its step `crashAt`; returns false once the move ran to the end first. */
async function crashAt(root: string, work: string, crashAt: number): Promise<boolean> {
  const counter = path.join(work, 'counter')
  writeFileSync(counter, '0')
  const env = { PATH: `${crashingPath(work)}:${process.env.PATH}`, COUNTER: counter, CRASH_AT: String(crashAt) }
  await adoptLegacyRecords(localHost(env), layoutOf(owner('db')), root).catch(() => undefined)
  return Number(readFileSync(counter, 'utf8')) >= crashAt
}

describe('moving the records of the single layout of earlier versions', () => {
  for (const rerunBy of [['db'], ['web', 'db']]) {
    it(`killed at any step, then run again by ${rerunBy.join(' then ')}: the records are whole in one place`, {
      timeout: 180_000,
    }, async () => {
      let steps = 0
      for (let step = 1; step < 40; step++) {
        const work = mkdtempSync(path.join(tmpdir(), 'guix-ops-legacy-'))
        const root = legacyRoot(work)
        if (!(await crashAt(root, work, step))) break
        steps = step
        for (const machine of rerunBy) await adoptLegacyRecords(localHost({}), layoutOf(owner(machine)), root)
        const { holders, leftInRoot } = whereRecordsAre(root, ['db', 'web'])
        expect({ step, holders, leftInRoot }).toEqual({ step, holders: [holders[0]], leftInRoot: [] })
        const dir = path.join(root, owner(holders[0]!).deployment.id, holders[0]!)
        const { 'owner.json': ownerJson, ...records } = tree(dir)
        expect({ step, records }).toEqual({ step, records: LEGACY })
        expect(JSON.parse(ownerJson ?? 'null'), `owner.json after a crash at step ${step}`).toEqual(owner(holders[0]!))
        const unfinished = readdirSync(path.dirname(dir)).filter((name) => name.startsWith('.'))
        expect({ step, unfinished }).toEqual({ step, unfinished: [] })
      }
      expect(steps, 'crash points tried').toBeGreaterThan(2)
    })
  }
})

describe('the generation in force, read beside a plan', () => {
  it('is read where the records are, before and after the move, and moves nothing', async () => {
    const work = mkdtempSync(path.join(tmpdir(), 'guix-ops-owners-'))
    const root = legacyRoot(work)
    const host = localHost({})
    expect(await inForceNumber(host, layoutOf(owner('db')), root)).toBe(2)
    expect(whereRecordsAre(root, ['db', 'web']).holders).toEqual([])
    await adoptLegacyRecords(host, layoutOf(owner('db')), root)
    expect(await inForceNumber(host, layoutOf(owner('db')), root)).toBe(2)
    // Another machine of the host has none: the records became db's.
    expect(await inForceNumber(host, layoutOf(owner('web')), root)).toBeUndefined()
  })

  it('is read when the move finishes between its test for the directory and its read', async () => {
    const work = mkdtempSync(path.join(tmpdir(), 'guix-ops-owners-'))
    const root = legacyRoot(work)
    const dir = `${root}${layoutOf(owner('db')).dir.slice('/var/lib/guix-ops'.length)}`
    // The read is the shell's own: a `test` of this test's (a function, which POSIX lets
    // shadow a regular built-in) does what the move does (the machine's directory appears
    // with its records, the old place is emptied) when the script first looks at the old place.
    const moving = [
      'test() {',
      `  if [ "$1" = -f ] && [ ! -e "${work}/moved" ]; then : > "${work}/moved"`,
      `    mkdir -p "${dir}" && cp "${root}/current" "${dir}/current" && rm -f "${root}/current"`,
      '  fi',
      '  command test "$@"',
      '}',
    ].join('\n')
    const local = localHost({})
    const host: RemoteHost = {
      ...local,
      exec: (argv) =>
        local.exec(
          argv[0] === 'sh' && argv[1] === '-c' ? ['sh', '-c', `${moving}\n${argv[2]}`, ...argv.slice(3)] : argv,
        ),
    }
    expect(await inForceNumber(host, layoutOf(owner('db')), root)).toBe(2)
    expect(existsSync(`${work}/moved`)).toBe(true)
  })
})
