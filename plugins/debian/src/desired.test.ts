import { createHash, randomBytes } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { fileBytes } from './content.js'
import { desiredFrom } from './desired.js'
import { debianOptions } from './options.js'
import { planSystem } from './plan.js'

async function options(input: unknown) {
  const result = await debianOptions['~standard'].validate(input)
  if (result.issues) throw new Error(result.issues.map((i) => i.message).join('; '))
  return result.value
}

describe('desiredFrom', () => {
  it('reads `source` files relative to the config directory, and fills in modes and owners', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'guix-ops-source-'))
    writeFileSync(path.join(dir, 'nginx.conf'), 'server {}\n')
    const desired = await desiredFrom(
      await options({
        files: {
          '/etc/nginx/nginx.conf': { source: './nginx.conf', mode: '640', owner: 'www-data' },
          '/etc/motd': 'hi\n',
        },
        users: { alice: {} },
      }),
      dir,
    )
    expect(desired.files['/etc/nginx/nginx.conf']).toEqual({
      content: 'server {}\n',
      mode: '0640',
      owner: 'www-data',
      group: 'www-data',
    })
    expect(desired.files['/etc/motd']).toEqual({ content: 'hi\n', mode: '0644', owner: 'root', group: 'root' })
    expect(desired.users.alice).toEqual({ groups: [], authorizedKeys: [], home: '/home/alice', system: false })
  })

  it('names the file and path when a source cannot be read', async () => {
    await expect(
      desiredFrom(await options({ files: { '/etc/x': { source: 'missing.conf' } } }), '/nonexistent'),
    ).rejects.toThrow('debian: files["/etc/x"].source: cannot read /nonexistent/missing.conf')
  })

  it('refuses a file with both content and source', async () => {
    const result = await debianOptions['~standard'].validate({ files: { '/etc/x': { content: 'a', source: 'b' } } })
    expect(result.issues?.[0]?.message).toBe('give exactly one of content or source')
  })

  it('keeps `source` files as bytes: gzip, random bytes and Latin-1 text are written and compared exactly', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'guix-ops-bytes-'))
    const sources: Record<string, Buffer> = {
      'site.gz': gzipSync('hello\n'.repeat(100)),
      'random.bin': randomBytes(4096),
      'latin1.txt': Buffer.from('café, naïve, 100 °C\n', 'latin1'),
      'utf8.txt': Buffer.from('café\n', 'utf8'),
    }
    const files: Record<string, { source: string }> = {}
    for (const [name, bytes] of Object.entries(sources)) {
      writeFileSync(path.join(dir, name), bytes)
      files[`/srv/${name}`] = { source: `./${name}` }
    }
    const desired = await desiredFrom(await options({ files }), dir)
    for (const [name, bytes] of Object.entries(sources))
      expect(fileBytes(desired.files[`/srv/${name}`]!)).toEqual(bytes)
    // Text stays readable text in the recorded generation.
    expect(desired.files['/srv/utf8.txt']?.content).toBe('café\n')
    // A host holding exactly these bytes has nothing to change; one byte off is a change.
    const sha = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex')
    const host = (tamper: string) => ({
      installed: [],
      directories: {},
      users: [],
      groups: [],
      services: {},
      files: Object.fromEntries(
        Object.entries(sources).map(([name, bytes]) => [
          `/srv/${name}`,
          {
            exists: true,
            mode: '644',
            owner: 'root',
            group: 'root',
            sha256: sha(name === tamper ? Buffer.concat([bytes, Buffer.from([0])]) : bytes),
          },
        ]),
      ),
    })
    const managed = planSystem(desired, undefined, host(''), sha).managed
    const inForce = { number: 1, createdAt: 't', desired, managed }
    expect(planSystem(desired, inForce, host(''), sha).changes).toEqual([])
    expect(planSystem(desired, inForce, host('latin1.txt'), sha).changes).toEqual([
      { action: 'update', subject: 'file /srv/latin1.txt' },
    ])
  })
})
