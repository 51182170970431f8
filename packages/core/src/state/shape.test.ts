import { describe, expect, it } from 'vitest'
import { checkStateShape } from './shape.js'

/** A state document as guix-ops writes it, with one key recorded for `web`. */
function stateWithKey(name: string, file: string): Record<string, unknown> {
  return {
    kind: 'guix-ops/deployment',
    version: 1,
    id: '0b6f6f3e-8f0e-4c59-9a59-2f1b8e0c1d2a',
    name: 'prod',
    configPath: '/srv/prod/guix-ops.config.ts',
    createdAt: '2026-12-03T10:00:00.000Z',
    updatedAt: '2026-12-03T10:00:00.000Z',
    machines: {
      web: {
        platform: 'managed',
        system: 'debian',
        keys: {
          [name]: {
            path: file,
            hash: 'ab',
            salt: 'cd',
            user: 'root',
            group: 'root',
            permissions: '0600',
            uploadAt: 'pre-activation',
            uploadedAt: '2026-12-03T10:00:00.000Z',
          },
        },
      },
    },
  }
}

const check = (doc: Record<string, unknown>) => checkStateShape(doc, 'guix-ops/deployment', 1)

describe('state shape: deployment key records', () => {
  it('takes a record whose path is the key by that name in an absolute directory', () => {
    expect(check(stateWithKey('db-password', '/run/keys/db-password'))).toBeUndefined()
    expect(check(stateWithKey('tls.key', '/etc/app/keys/tls.key'))).toBeUndefined()
  })

  // deploy and upload-keys remove, as root, the file a record names once its key leaves the config.
  it.each([
    ['another file than the key', 'x', '/etc/shadow'],
    ['a path that climbs out', 'x', '/run/keys/../../etc/x'],
    ['a relative path', 'x', 'run/keys/x'],
    ['a name that is a path', '../shadow', '/run/keys/../shadow'],
    ['a name with a space', 'a b', '/run/keys/a b'],
    ['the directory itself', 'x', '/run/keys/'],
  ])('refuses %s, naming the record', (_what, name, file) => {
    expect(check(stateWithKey(name, file))).toEqual({
      path: `machines.web.keys.${name}.path`,
      message: expect.stringContaining('expected the path of the key by that name'),
    })
  })
})
