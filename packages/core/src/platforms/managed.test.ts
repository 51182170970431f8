// The managed platform against a real sshd on 127.0.0.1 (this machine: nothing is changed on it).
import { arch } from 'node:os'
import type { PluginContext } from '@guix-ops/plugin-api'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { caught } from '../../../../test/support/errors.js'
import { sshdUnavailable, startSshd, type TestSshd } from '../../../../test/support/sshd.js'
import { PluginRegistry } from '../registry/index.js'
import { requireCapability } from './capability.js'
import managed from './managed.js'

function context(hostKey?: string): PluginContext {
  const quiet = () => {}
  return {
    deployment: { id: '00000000-0000-4000-8000-000000000000', name: 'shop' },
    machine: 'db',
    logger: { debug: quiet, info: quiet, warn: quiet, error: quiet },
    progress: { report: quiet },
    signal: new AbortController().signal,
    stateDir: '/nonexistent',
    deploymentDir: '/nonexistent',
    secrets: { get: async () => undefined, set: async () => {}, delete: async () => {} },
    ...(hostKey ? { hostKey } : {}),
  }
}

async function options(input: Record<string, unknown>) {
  const result = await managed.options['~standard'].validate(input)
  if (result.issues) throw new Error(result.issues.map((i) => i.message).join('; '))
  return result.value
}

describe('managed platform', () => {
  it('is built into the core and found without any plugin package', async () => {
    const registry = PluginRegistry.discover({})
    expect(registry.entry('platform', 'managed')).toMatchObject({ source: 'builtin', packageName: '@guix-ops/core' })
    expect((await registry.platform('managed')).capabilities).toMatchObject({
      stop: false,
      destroy: false,
      reboot: true,
    })
  })

  it('says it cannot stop, start or destroy a host it does not own', () => {
    expect(() => requireCapability(managed, 'stop', 'db')).toThrow(
      'platform "managed" cannot stop machines (machine "db")',
    )
  })

  it('validates its options by field', async () => {
    const result = await managed.options['~standard'].validate({ host: 'h', port: 'ssh', hostKey: 'AAAA' })
    expect(result.issues?.map((i) => i.path?.join('.'))).toEqual(['port', 'hostKey'])
  })
})

const unavailable = sshdUnavailable()
describe.skipIf(unavailable !== undefined)('managed platform against a real sshd', () => {
  let sshd: TestSshd
  beforeAll(async () => {
    sshd = await startSshd()
  })
  afterAll(async () => {
    await sshd?.stop()
  })

  it('provisions by connecting and recording facts; status is up', async () => {
    const opts = await options({ host: '127.0.0.1', port: sshd.port, user: sshd.user, identity: sshd.identity })
    const { resource, address, outputs } = await managed.provision(context(), { name: 'db', options: opts })
    expect(address).toBe('127.0.0.1')
    expect(resource.hostKey).toBeNull()
    expect(outputs).toMatchObject({ arch: arch() === 'x64' ? 'x86_64' : expect.any(String), os: 'debian' })
    expect(await managed.status(context(), resource)).toBe('up')
    expect(await managed.ssh(context(), resource)).toEqual({
      host: '127.0.0.1',
      port: sshd.port,
      user: sshd.user,
      sudo: false,
      privateKeyPath: sshd.identity,
    })
    // A key named in the config is what the core pins.
    const pinned = await managed.provision(context(), { name: 'db', options: { ...opts, hostKey: sshd.hostKey } })
    expect((await managed.ssh(context(), pinned.resource)).hostKey).toBe(sshd.hostKey)
  })

  it('reports unreachable when nothing answers, and refuses a host key other than the pinned one', async () => {
    const opts = await options({ host: '127.0.0.1', port: sshd.port, user: sshd.user, identity: sshd.identity })
    const { resource } = await managed.provision(context(), { name: 'db', options: opts })
    expect(await managed.status(context(), { ...resource, port: 1 })).toBe('unreachable')
    const pinned = sshd.hostKey
    await sshd.rotateHostKey()
    const error = await caught(managed.provision(context(pinned), { name: 'db', options: opts }))
    expect(error.code).toBe('E_SSH_HOST_KEY_CHANGED')
    expect(error.where).toMatchObject({ machine: 'db', deployment: 'shop' })
    await expect(managed.status(context(pinned), resource)).rejects.toMatchObject({ code: 'E_SSH_HOST_KEY_CHANGED' })
  })
})
