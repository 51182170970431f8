import { describe, expect, it } from 'vitest'
import { debianOptions } from './options.js'

const validate = async (input: unknown) => debianOptions['~standard'].validate(input)

describe('debian options: paths', () => {
  it('writes each path one way: // and /./ collapse, a directory loses its trailing slash', async () => {
    const result = await validate({
      files: { '/etc//systemd/./system/srv-my\\x2ddata.mount': 'x', '/etc/a\tb': 'y' },
      directories: { '/srv//shop/': {} },
      users: { alice: { home: '/home//alice/' } },
      services: { 'srv-my\\x2ddata.mount': { restartOn: ['/etc/systemd//system/srv-my\\x2ddata.mount'] } },
      commands: [{ run: ['true'], on: ['/etc/./a\tb'] }],
    })
    expect(result.issues).toBeUndefined()
    if (result.issues) return
    const { value } = result
    expect(Object.keys(value.files)).toEqual(['/etc/systemd/system/srv-my\\x2ddata.mount', '/etc/a\tb'])
    expect(Object.keys(value.directories)).toEqual(['/srv/shop'])
    expect(value.users.alice?.home).toBe('/home/alice')
    expect(value.services['srv-my\\x2ddata.mount']?.restartOn).toEqual(['/etc/systemd/system/srv-my\\x2ddata.mount'])
    expect(value.commands[0]?.on).toEqual(['/etc/a\tb'])
  })

  it('refuses two spellings of one path, "..", and a file path ending in a slash, naming each', async () => {
    const messages = async (input: unknown) => (await validate(input)).issues?.map((i) => i.message) ?? []
    expect(await messages({ files: { '/etc/motd': 'a', '/etc//motd': 'b' } })).toEqual([
      '"/etc/motd" and "/etc//motd" are the same path: give it once',
    ])
    expect(await messages({ files: { '/etc/x/../motd': 'a' } })).toEqual([
      'a path may not contain "..": write it as /etc/motd',
    ])
    expect(await messages({ files: { '/etc/motd/': 'a' } })).toEqual(['a file path may not end with "/"'])
    expect(await messages({ services: { x: { restartOn: ['/etc/../motd'] } } })).toEqual([
      'a path may not contain "..": write it as /motd',
    ])
  })
})
