import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { desiredFrom } from './desired.js'
import { debianOptions } from './options.js'

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
})
