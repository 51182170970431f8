// The facts of what the record in force manages beyond the config are read
// once the record is known, and only then; they join the facts read before.
import type { RemoteHost } from '@guix-ops/plugin-api'
import { describe, expect, it } from 'vitest'
import { layoutOf } from './layout.js'
import { EMPTY_MANAGED, type Facts, type Managed } from './model.js'
import { completeFacts, managedBeyond } from './plan-reads.js'

const layout = layoutOf({ deployment: { id: '6f0a3a52-3d1c-4d5e-9a55-1b2c3d4e5f60', name: 'shop' }, machine: 'web' })
const desired = {
  packages: ['nginx'],
  groups: [],
  users: {},
  files: { '/etc/a': { content: 'a', mode: '0644', owner: 'root', group: 'root' } },
  directories: {},
  services: {},
  commands: [],
}
const wanted: Facts = {
  installed: ['nginx'],
  files: { '/etc/a': { exists: false } },
  directories: {},
  users: [],
  groups: [],
  services: {},
  hostname: 'web',
  systemd: true,
  taken: {},
}

/** A host that answers every stat with one existing file per path, and records each command. */
function statHost(): { host: RemoteHost; commands: string[][] } {
  const commands: string[][] = []
  const host: RemoteHost = {
    exec: async (argv) => {
      commands.push([...argv])
      const paths = argv.slice(4)
      const stdout =
        argv[0] === 'sh' && argv[2]?.includes('stat') ? paths.map(() => 'f 644 root root 0 0 -\n').join('') : ''
      return { code: 0, stdout, stderr: '' }
    },
    upload: async () => undefined,
    download: async () => new Uint8Array(),
  }
  return { host, commands }
}

describe('completeFacts', () => {
  it('reads nothing more when the record manages nothing the config does not name', async () => {
    const managed: Managed = { ...EMPTY_MANAGED, packages: ['nginx'], files: { '/etc/a': { preexisting: false } } }
    expect(managedBeyond(desired, managed)).toBeUndefined()
    const { host, commands } = statHost()
    expect(await completeFacts(host, layout, desired, managed, wanted)).toBe(wanted)
    expect(commands).toEqual([])
  })

  it('reads the files and packages that left the config, and adds them to the facts read before', async () => {
    const managed: Managed = {
      ...EMPTY_MANAGED,
      packages: ['nginx', 'curl'],
      files: { '/etc/a': { preexisting: false }, '/etc/gone': { preexisting: true } },
    }
    expect(managedBeyond(desired, managed)).toEqual({
      ...EMPTY_MANAGED,
      packages: ['curl'],
      files: { '/etc/gone': { preexisting: true } },
    })
    const { host, commands } = statHost()
    const facts = await completeFacts(host, layout, desired, managed, wanted)
    expect(facts.files).toEqual({
      '/etc/a': { exists: false },
      '/etc/gone': { exists: true, kind: 'file', mode: '644', owner: 'root', group: 'root', uid: '0', gid: '0' },
    })
    expect(facts.hostname).toBe('web')
    // Only what left the config is asked for: curl, not nginx; /etc/gone, not /etc/a.
    const asked = commands.flat()
    expect(asked).toContain('curl')
    expect(asked).not.toContain('nginx')
    expect(asked).toContain('/etc/gone')
    expect(asked).not.toContain('/etc/a')
  })
})
