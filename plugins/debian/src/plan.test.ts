import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { type Desired, EMPTY_DESIRED, EMPTY_MANAGED, type Facts, type GenerationRecord } from './model.js'
import { planSystem } from './plan.js'

const sha = (t: string | Uint8Array) => createHash('sha256').update(t).digest('hex')
const none: Facts = { installed: [], files: {}, directories: {}, users: [], groups: [], services: {}, hostname: 'old' }
const want = (over: Partial<Desired> = {}): Desired => ({ ...EMPTY_DESIRED, ...over })
const file = (content: string) => ({ content, mode: '0644', owner: 'root', group: 'root' })
const present = (content: string) => ({ exists: true, mode: '644', owner: 'root', group: 'root', sha256: sha(content) })

describe('planSystem', () => {
  it('creates what is missing and manages what it created', () => {
    const plan = planSystem(
      want({
        hostname: 'db',
        packages: ['nginx', 'curl'],
        groups: ['web'],
        users: { app: { groups: ['web'], authorizedKeys: ['ssh-ed25519 AAAA k'], home: '/home/app', system: false } },
        files: { '/etc/shop.env': file('A=1\n') },
        services: { nginx: { enable: true, restartOn: ['/etc/shop.env'] } },
      }),
      undefined,
      { ...none, installed: ['curl'] },
      sha,
    )
    expect(plan.changes.map((c) => `${c.action} ${c.subject}`)).toEqual([
      'update hostname',
      'create group web',
      'create user app',
      'create package nginx',
      'create directory /home/app/.ssh',
      'create file /etc/shop.env',
      'create file /home/app/.ssh/authorized_keys',
      'create service nginx',
    ])
    // nginx starts when installed, before its config is written: it is enabled, then restarted.
    expect(plan.actions.filter((a) => a.kind.startsWith('service-'))).toEqual([
      { kind: 'service-enable', unit: 'nginx' },
      { kind: 'service-restart', unit: 'nginx' },
    ])
    // curl was there before: never ours to remove.
    expect(plan.managed).toMatchObject({ packages: ['nginx'], groups: ['web'], users: ['app'], services: ['nginx'] })
    expect(plan.managed.files['/etc/shop.env']).toEqual({ preexisting: false })
  })

  it('changes nothing when the host already matches', () => {
    const desired = want({ files: { '/etc/a': file('x') }, packages: ['nginx'] })
    const previous: GenerationRecord = {
      number: 1,
      createdAt: 't',
      desired,
      managed: { ...EMPTY_MANAGED, packages: ['nginx'], files: { '/etc/a': { preexisting: false } } },
    }
    const plan = planSystem(
      desired,
      previous,
      { ...none, hostname: 'h', installed: ['nginx'], files: { '/etc/a': present('x') } },
      sha,
    )
    expect(plan.changes).toEqual([])
    expect(plan.actions).toEqual([])
    expect(plan.managed).toEqual(previous.managed)
  })

  it('backs up a file it takes over, and restores it when the file leaves the config', () => {
    const takeover = planSystem(
      want({ files: { '/etc/motd': file('ours') } }),
      undefined,
      { ...none, files: { '/etc/motd': present('theirs') } },
      sha,
    )
    expect(takeover.actions.map((a) => a.kind)).toEqual(['file-take', 'file-write'])
    expect(takeover.actions[0]).toEqual({ kind: 'file-take', path: '/etc/motd' })
    expect(takeover.managed.files['/etc/motd']).toEqual({ preexisting: true })
    const previous: GenerationRecord = { number: 1, createdAt: 't', desired: want(), managed: takeover.managed }
    const release = planSystem(want(), previous, { ...none, files: { '/etc/motd': present('ours') } }, sha)
    expect(release.actions).toEqual([{ kind: 'file-remove', path: '/etc/motd', restore: true }])
    expect(release.changes).toEqual([{ action: 'delete', subject: 'file /etc/motd (restore the original)' }])
  })

  it("decides from the host's marks, not the last record, that a file was taken over: a retry keeps the original", () => {
    // A deploy wrote 'ours' over the original, then failed before recording a generation.
    const retry = planSystem(
      want({ files: { '/etc/motd': file('ours') } }),
      undefined,
      { ...none, files: { '/etc/motd': present('ours') }, taken: { '/etc/motd': 'original' } },
      sha,
    )
    expect(retry.actions).toEqual([]) // nothing taken again: the kept original stays
    expect(retry.managed.files['/etc/motd']).toEqual({ preexisting: true })
    const fresh = planSystem(
      want({ files: { '/etc/new.conf': file('ours') } }),
      undefined,
      { ...none, files: { '/etc/new.conf': present('ours') }, taken: { '/etc/new.conf': 'absent' } },
      sha,
    )
    expect(fresh.managed.files['/etc/new.conf']).toEqual({ preexisting: false })
  })

  it('gives back files the host marks as taken over when they leave the config, even with no record of them', () => {
    const plan = planSystem(
      want(),
      undefined,
      { ...none, taken: { '/etc/motd': 'original', '/etc/new.conf': 'absent' } },
      sha,
    )
    expect(plan.actions).toEqual([
      { kind: 'file-remove', path: '/etc/motd', restore: true },
      { kind: 'file-remove', path: '/etc/new.conf', restore: false },
    ])
  })

  it('removes only what it created, in reverse order, and restarts services whose files changed', () => {
    const previous: GenerationRecord = {
      number: 2,
      createdAt: 't',
      desired: want(),
      managed: {
        packages: ['redis-server'],
        groups: ['cache'],
        users: ['cache'],
        files: { '/etc/old.conf': { preexisting: false } },
        directories: ['/srv/a', '/srv/a/b'],
        services: ['redis-server'],
      },
    }
    const plan = planSystem(
      want({
        files: { '/etc/nginx.conf': file('new') },
        services: { nginx: { enable: true, restartOn: ['/etc/nginx.conf'] } },
        commands: [
          { run: ['nginx', '-t'], on: ['/etc/nginx.conf'] },
          { run: ['true'], on: ['/etc/other'] },
        ],
      }),
      previous,
      {
        ...none,
        services: { nginx: 'enabled', 'redis-server': 'enabled' },
        files: { '/etc/nginx.conf': present('old'), '/etc/old.conf': present('o') },
      },
      sha,
    )
    expect(plan.actions.map((a) => a.kind)).toEqual([
      'file-take',
      'file-write',
      'service-restart',
      'command',
      'service-disable',
      'file-remove',
      'directory-remove',
      'directory-remove',
      'packages-purge',
      'user-remove',
      'group-remove',
    ])
    expect(plan.actions.filter((a) => a.kind === 'directory-remove').map((a) => (a as { path: string }).path)).toEqual([
      '/srv/a/b',
      '/srv/a',
    ])
    expect(plan.managed.services).toEqual([]) // nginx was enabled before guix-ops: not ours
  })
})

describe('planSystem when the host already matches but the record in force does not say so', () => {
  const round1 = want({ files: { '/etc/round': file('1') } })
  const round2 = want({ files: { '/etc/round': file('2'), '/etc/motd': file('ours') } })
  const inForce: GenerationRecord = {
    number: 1,
    createdAt: 't',
    desired: round1,
    managed: { ...EMPTY_MANAGED, files: { '/etc/round': { preexisting: false } } },
  }
  // A deploy of round 2 wrote its files (taking over /etc/motd), then was interrupted before it recorded a generation.
  const interrupted: Facts = {
    ...none,
    files: { '/etc/round': present('2'), '/etc/motd': present('ours') },
    taken: { '/etc/round': 'absent', '/etc/motd': 'original' },
  }
  const recordOnly = [
    { action: 'update', subject: 'generation record', detail: 'the host already matches; recording it' },
  ]

  it('plans to record a generation on the retry, so the files it took over are managed and check sees no drift', () => {
    const retry = planSystem(round2, inForce, interrupted, sha)
    expect(retry.changes).toEqual(recordOnly)
    expect(retry.actions).toEqual([]) // nothing written again, the kept original untouched
    expect(retry.managed.files).toEqual({ '/etc/round': { preexisting: false }, '/etc/motd': { preexisting: true } })
  })

  it('restarts the services and runs the commands that watch a file the interrupted deploy wrote', () => {
    const watching = {
      ...round2,
      services: { shop: { enable: true, restartOn: ['/etc/round'] } },
      commands: [{ run: ['reload-round'], on: ['/etc/round'] }],
    }
    const retry = planSystem(watching, inForce, { ...interrupted, services: { shop: 'enabled' } }, sha)
    expect(retry.actions).toEqual([
      { kind: 'service-restart', unit: 'shop' },
      { kind: 'command', run: ['reload-round'] },
    ])
    expect(retry.changes).toEqual([{ action: 'update', subject: 'service shop', detail: 'restart' }])
  })

  it('changes nothing on a redeploy of a user whose authorized keys a service watches', () => {
    const user = { groups: [], authorizedKeys: ['ssh-ed25519 AAAA k'], home: '/home/app', system: false }
    const config = want({
      users: { app: user },
      services: { sshd: { enable: true, restartOn: ['/home/app/.ssh/authorized_keys'] } },
    })
    const keys = { ...present('ssh-ed25519 AAAA k\n'), mode: '600', owner: 'app', group: 'app' }
    const record: GenerationRecord = {
      number: 1,
      createdAt: 't',
      desired: config,
      managed: {
        ...EMPTY_MANAGED,
        users: ['app'],
        files: { '/home/app/.ssh/authorized_keys': { preexisting: false } },
      },
    }
    const host: Facts = {
      ...none,
      users: ['app'],
      services: { sshd: 'enabled' },
      files: { '/home/app/.ssh/authorized_keys': keys },
      directories: { '/home/app/.ssh': { exists: true, mode: '700', owner: 'app', group: 'app' } },
    }
    const again = planSystem(config, record, host, sha)
    expect(again.changes).toEqual([])
    expect(again.actions).toEqual([])
  })

  it('plans to record a first generation on a host that matches the config before any was recorded', () => {
    const first = planSystem(round2, undefined, interrupted, sha)
    expect(first.changes).toEqual(recordOnly)
    expect(first.actions).toEqual([])
  })

  it('plans to record a config whose only change is one the host does not show (a command)', () => {
    const withCommand = { ...round1, commands: [{ run: ['true'] }] }
    const plan = planSystem(withCommand, inForce, { ...none, files: { '/etc/round': present('1') } }, sha)
    expect(plan.changes).toEqual(recordOnly)
    expect(plan.actions).toEqual([]) // recording runs no command: nothing changed on the host
  })

  it('changes nothing once that generation is recorded, in whatever order its JSON keeps the files', () => {
    const recorded: GenerationRecord = {
      number: 2,
      createdAt: 't',
      desired: want({ files: { '/etc/motd': file('ours'), '/etc/round': file('2') } }),
      managed: {
        ...EMPTY_MANAGED,
        files: { '/etc/motd': { preexisting: true }, '/etc/round': { preexisting: false } },
      },
    }
    const again = planSystem(round2, recorded, interrupted, sha)
    expect(again.changes).toEqual([])
    expect(again.actions).toEqual([])
  })
})

describe('planSystem and paths recorded in another spelling', () => {
  it('does not remove /etc//x, recorded by an earlier deploy, as another file than the /etc/x now wanted', () => {
    const previous: GenerationRecord = {
      number: 1,
      createdAt: '2026-01-01T00:00:00Z',
      desired: want(),
      managed: { ...EMPTY_MANAGED, files: { '/etc//x': { preexisting: true } }, directories: ['/srv//shop/'] },
    }
    const plan = planSystem(
      want({ files: { '/etc/x': file('a\n') }, directories: { '/srv/shop': { mode: '0755', owner: 'root' } } }),
      previous,
      {
        ...none,
        files: { '/etc/x': present('a\n') },
        directories: { '/srv/shop': { exists: true, mode: '755', owner: 'root', group: 'root' } },
      },
      sha,
    )
    expect(plan.actions).toEqual([])
    expect(plan.managed.files).toEqual({ '/etc/x': { preexisting: true } })
    expect(plan.managed.directories).toEqual(['/srv/shop'])
  })
})
