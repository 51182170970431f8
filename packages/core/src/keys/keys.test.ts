// Deployment keys: their config, their sources, and their way to a real sshd on 127.0.0.1.
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { caught } from '../../../../test/support/errors.js'
import { sshdUnavailable, startSshd, type TestSshd } from '../../../../test/support/sshd.js'
import { IssueList } from '../config/issues.js'
import { normalizeConfig } from '../config/normalize.js'
import { connectSsh, type SshSession } from '../ssh/index.js'
import { keyDigest } from './digest.js'
import { plannedKeys } from './machine-keys.js'
import { checkKeys, keyOptions } from './schema.js'
import { type LoadedKey, loadKeys } from './sources.js'
import { syncKeys } from './sync.js'

const CANARY = 'canary-5f1e-never-written-down'

function problems(keys: unknown): string[] {
  const issues = new IssueList('/cfg/guix-ops.config.ts')
  checkKeys(issues, keys, 'machines.db.keys', 'db')
  return issues.errors.map((e) => `${e.code} ${e.message} [${e.where?.machine}]`)
}

describe('keys in the config', () => {
  it('accepts the three sources and fills in the defaults', () => {
    const keys = { a: { text: CANARY }, b: { file: 'pw.txt', user: 'postgres' }, c: { command: ['pass', 'show', 'x'] } }
    expect(problems(keys)).toEqual([])
    expect(keyOptions(keys).map((k) => [k.name, k.destDir, k.user, k.group, k.permissions, k.uploadAt])).toEqual([
      ['a', '/run/keys', 'root', 'root', '0600', 'pre-activation'],
      ['b', '/run/keys', 'postgres', 'root', '0600', 'pre-activation'],
      ['c', '/run/keys', 'root', 'root', '0600', 'pre-activation'],
    ])
  })

  it('names the machine, the key and the field of each problem, and never shows a value', () => {
    const found = problems({
      rel: { text: CANARY, destDir: 'run/keys' },
      mode: { text: CANARY, permissions: '0999' },
      two: { text: CANARY, file: 'x' },
      none: { destDir: '/run/keys' },
      typo: { text: CANARY, owner: 'root' },
      'bad name': { text: CANARY },
      notAnObject: CANARY,
    })
    expect(found.join('\n')).not.toContain(CANARY)
    expect(found).toEqual([
      expect.stringMatching(/^E_CONFIG_FIELD machines\.db\.keys\.rel\.destDir: expected an absolute path.*\[db\]$/),
      expect.stringMatching(
        /^E_CONFIG_FIELD machines\.db\.keys\.mode\.permissions: expected an octal mode.*"0999" \[db\]$/,
      ),
      expect.stringMatching(/^E_CONFIG_FIELD machines\.db\.keys\.two: give exactly one of text, file or command/),
      expect.stringMatching(/^E_CONFIG_FIELD machines\.db\.keys\.none: give exactly one of text, file or command/),
      expect.stringMatching(/^E_CONFIG_FIELD machines\.db\.keys\.typo: unknown option "owner"/),
      expect.stringMatching(/^E_CONFIG_FIELD machines\.db\.keys\["bad name"\]: invalid key name/),
      expect.stringMatching(/^E_CONFIG_FIELD machines\.db\.keys\.notAnObject: /),
    ])
  })

  it('is checked with the rest of the config when it is loaded', () => {
    const value = {
      name: 'shop',
      machines: {
        db: { platform: { type: 'managed' }, system: { type: 'debian' }, keys: { pw: { text: 42 } } },
      },
    }
    const error = (() => {
      try {
        normalizeConfig({ file: '/cfg/guix-ops.config.ts', value })
      } catch (e) {
        return e as Error
      }
    })()
    expect(error?.message).toBe('machines.db.keys.pw.text: expected a string (the value is not shown)')
    expect(error?.message).not.toContain('42')
  })
})

describe('key sources', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'guix-ops-keys-'))
  writeFileSync(path.join(dir, 'pw.txt'), CANARY)
  const load = (source: object) => loadKeys('db', keyOptions({ pw: source }), dir)

  it('reads text, a file relative to the config, and a command’s standard output', async () => {
    for (const source of [{ text: CANARY }, { file: 'pw.txt' }, { command: ['cat', 'pw.txt'] }]) {
      const [key] = await load(source)
      expect(key?.value.toString()).toBe(CANARY)
    }
  })

  it('fails on a missing file and on a failing command, with its stderr and never its stdout', async () => {
    const missing = await caught(load({ file: 'nope.txt' }))
    expect(missing.code).toBe('E_KEY_SOURCE')
    expect(missing.message).toBe(`machine "db", key "pw": file ${path.join(dir, 'nope.txt')} does not exist`)
    const failing = await caught(
      load({ command: ['sh', '-c', `echo ${CANARY}; echo "gpg: decryption failed" >&2; exit 2`] }),
    )
    expect(failing.code).toBe('E_KEY_SOURCE')
    expect(failing.message).toBe('machine "db", key "pw": command "sh" exited with 2: gpg: decryption failed')
    const absent = await caught(load({ command: ['guix-ops-no-such-program'] }))
    expect(absent.message).toMatch(/key "pw": cannot run command "guix-ops-no-such-program": .*ENOENT/)
  })
})

const unavailable = sshdUnavailable()
if (unavailable) console.warn(`skipping the key upload tests against a real sshd: ${unavailable}`)

describe.skipIf(unavailable !== undefined)('keys sent to a real sshd', () => {
  let sshd: TestSshd
  let session: SshSession
  const dest = mkdtempSync(path.join(tmpdir(), 'guix-ops-keys-host-'))
  beforeAll(async () => {
    // The host's record of the files guix-ops wrote lives under /var/lib: a private one here.
    sshd = await startSshd({ tmpfs: { '/var/lib': '4m' } })
    session = await connectSsh({
      host: '127.0.0.1',
      port: sshd.port,
      user: sshd.user,
      identity: sshd.identity,
      hostKey: sshd.hostKey,
    })
  })
  afterAll(async () => {
    session?.close()
    await sshd?.stop()
  })

  const keys = (values: Record<string, string>, extra: object = {}): LoadedKey[] =>
    Object.entries(values).map(([name, value]) => ({
      ...keyOptions({ [name]: { text: value, destDir: dest, permissions: '0640', ...extra } })[0]!,
      value: Buffer.from(value),
    }))
  const sync = (loaded: LoadedKey[], recorded?: Awaited<ReturnType<typeof syncKeys>>['records']) =>
    syncKeys({ host: session, machine: 'db', keys: loaded, recorded, stage: 'all', report: () => {} })

  it('writes each key with its mode, records only a salted hash, re-sends only a changed key, removes a dropped one', async () => {
    const first = await sync(keys({ a: `${CANARY}-a`, b: `${CANARY}-b` }))
    expect(first.sent).toEqual(['a', 'b'])
    expect(readFileSync(path.join(dest, 'a'), 'utf8')).toBe(`${CANARY}-a`)
    expect(statSync(path.join(dest, 'a')).mode & 0o777).toBe(0o640)
    expect(JSON.stringify(first.records)).not.toContain(CANARY)
    expect(first.records.a?.hash).toBe(keyDigest(first.records.a!.salt, Buffer.from(`${CANARY}-a`)))

    const again = await sync(keys({ a: `${CANARY}-a`, b: `${CANARY}-b` }), first.records)
    expect(again.sent).toEqual([])
    const rotated = await sync(keys({ a: `${CANARY}-a`, b: `${CANARY}-b2` }), again.records)
    expect(rotated.sent).toEqual(['b'])
    expect(readFileSync(path.join(dest, 'b'), 'utf8')).toBe(`${CANARY}-b2`)

    const dropped = await sync(keys({ a: `${CANARY}-a` }), rotated.records)
    expect(dropped.removed).toEqual(['b'])
    expect(Object.keys(dropped.records)).toEqual(['a'])
    expect(() => statSync(path.join(dest, 'b'))).toThrow()
  })

  it('a dry run lists the keys a deploy would send and remove, and changes nothing', async () => {
    const first = await sync(keys({ e: 'e1' }))
    const records = { ...first.records, gone: { ...first.records.e!, path: `${dest}/gone` } }
    const writer = { machine: () => ({ platform: 'loopback', system: 'file', keys: records }) }
    const run = { name: 'db', writer: writer as never, emit: () => {} }
    expect(await plannedKeys(run, session, keys({ e: 'e2', f: 'f1' }))).toEqual([
      { action: 'update', subject: 'key e', detail: `${dest}/e, root:root 0640, pre-activation` },
      { action: 'create', subject: 'key f', detail: `${dest}/f, root:root 0640, pre-activation` },
      { action: 'delete', subject: 'key gone', detail: `${dest}/gone` },
    ])
    expect(readFileSync(path.join(dest, 'e'), 'utf8')).toBe('e1')
    expect(() => statSync(path.join(dest, 'f'))).toThrow()
  })

  // Root writes the key's temp file by path: whoever else may change a directory on the way could swap it for a link.
  it.each([
    ['owned by another user', (dir: string) => chownSync(dir, 65534, 65534)],
    ['writable by its group', (dir: string) => chmodSync(dir, 0o775)],
  ])('refuses a destDir below a directory %s, and writes nothing', async (_what, loosen) => {
    const parent = path.join(dest, `loose-${Math.random().toString(16).slice(2)}`)
    mkdirSync(parent, { mode: 0o755 })
    loosen(parent)
    const error = await caught(sync(keys({ g: 'g' }, { destDir: `${parent}/keys` })))
    expect(error.code).toBe('E_KEY_UPLOAD')
    expect(error.message).toContain(`${parent} can be changed by another user`)
    expect(() => statSync(path.join(parent, 'keys', 'g'))).toThrow()
  })

  it('makes a missing destDir 0755, so a key owner other than root reaches it', async () => {
    await sync(keys({ h: 'h' }, { destDir: `${dest}/made/here` }))
    expect(statSync(path.join(dest, 'made')).mode & 0o777).toBe(0o755)
    expect(statSync(path.join(dest, 'made/here')).mode & 0o777).toBe(0o755)
  })

  it('refuses to overwrite a file guix-ops did not write, writes no key, and never removes such a file', async () => {
    const foreign = path.join(dest, 'passwd')
    writeFileSync(foreign, 'root:x:0:0:root:/root:/bin/sh\n', { mode: 0o644 })
    const error = await caught(sync(keys({ first: 'f', passwd: CANARY })))
    expect(error.code).toBe('E_KEY_EXISTS')
    expect(error.message).toBe(
      `machine "db", key "passwd": ${foreign} exists and was not written by guix-ops; no key was sent`,
    )
    expect(error.message).not.toContain(CANARY)
    expect(readFileSync(foreign, 'utf8')).toBe('root:x:0:0:root:/root:/bin/sh\n')
    expect(() => statSync(path.join(dest, 'first'))).toThrow()

    // A record naming that file (an old state, an import) does not get it deleted when the key leaves the config.
    const written = await sync(keys({ mine: 'm' }))
    const record = { ...written.records.mine!, path: foreign }
    const dropped = await sync([], { passwd: record })
    expect(dropped.removed).toEqual(['passwd'])
    expect(readFileSync(foreign, 'utf8')).toBe('root:x:0:0:root:/root:/bin/sh\n')
    // What guix-ops wrote, it removes.
    await sync([], written.records)
    expect(() => statSync(path.join(dest, 'mine'))).toThrow()
  })

  it('a key written before the host listed them is rotated when its file is the one recorded, refused when not', async () => {
    const first = await sync(keys({ old: 'o1', edited: 'e1' }))
    // As a host deployed before it kept the list of what guix-ops wrote.
    const forget = await session.exec(['sh', '-c', ': > /var/lib/guix-ops/keys/written'])
    expect(forget.code).toBe(0)
    writeFileSync(path.join(dest, 'edited'), 'changed on the host')
    const error = await caught(sync(keys({ old: 'o2', edited: 'e2' }), first.records))
    expect(error.code).toBe('E_KEY_EXISTS')
    expect(error.message).toContain(`key "edited": ${dest}/edited exists`)
    const rotated = await sync(keys({ old: 'o2' }), { old: first.records.old! })
    expect(rotated.sent).toEqual(['old'])
    expect(readFileSync(path.join(dest, 'old'), 'utf8')).toBe('o2')
  })

  it('refuses a key for a user the host does not have, and writes nothing', async () => {
    const error = await caught(sync([...keys({ c: 'c' }), ...keys({ d: 'd' }, { user: 'guix-ops-nobody-here' })]))
    expect(error.code).toBe('E_KEY_OWNER')
    expect(error.message).toBe('machine "db", key "d": the host has no user guix-ops-nobody-here')
    expect(() => statSync(path.join(dest, 'c'))).toThrow()
  })
})
