/**
 * A change that cannot be applied leaves the container's LXC config as it
 * was, so deploying the previous options again (no change to guix-ops'
 * record) leaves nothing behind. LXC's tools are stood in for here: the
 * kernel refusing a memory limit (lxc-cgroup fails) and a boot that fails.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { PluginContext } from '@guix-ops/plugin-api'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { LxcError } from './codes.js'
import { optionLines, withOptionLines } from './container-config.js'
import { lxcError } from './errors.js'
import { madeWith } from './made.js'
import type { LxcOptions } from './options.js'
import type { LxcResource } from './resource.js'

const fake = vi.hoisted(() => ({ lxcDir: '', boots: [] as string[] }))

vi.mock('./containers.js', async (importOriginal) => ({
  ...(await importOriginal<typeof import('./containers.js')>()),
  lxcPath: async () => fake.lxcDir,
  containerState: async () => 'STOPPED',
  lxc: async () => ({ code: 0, stdout: '', stderr: '' }),
  // What lxc-cgroup says when the kernel refuses a limit below the memory in use.
  lxcMust: async (argv: readonly string[]) => {
    if (argv[0] === 'lxc-cgroup') throw lxcError(LxcError.Reconfigure, 'lxc-cgroup: Device or resource busy')
    return ''
  },
}))
vi.mock('./lifecycle.js', async (importOriginal) => ({
  ...(await importOriginal<typeof import('./lifecycle.js')>()),
  shutdown: async () => undefined,
  // A boot with the new config fails; one with the config as it was succeeds.
  boot: async (_ctx: PluginContext, resource: LxcResource) => {
    const config = await readFile(path.join(fake.lxcDir, resource.container, 'config'), 'utf8')
    fake.boots.push(config)
    if (config.includes('lxc.mount.entry')) throw lxcError(LxcError.Boot, 'the container did not start')
    return resource
  },
}))

const { bootOrPutBack, reconfigure } = await import('./reconfigure.js')

const OLD: LxcOptions = { release: 'bookworm', arch: 'amd64', unprivileged: false, autostart: false, memory: 512 }
const CONFIG = 'lxc.rootfs.path = overlay:/b/rootfs:/c/overlay/delta\nlxc.uts.name = web\n'
const ctx = {
  machine: 'web',
  progress: { report: () => undefined },
  logger: { info: () => undefined, warn: () => undefined, debug: () => undefined },
} as unknown as PluginContext
const resource: LxcResource = {
  container: 'web',
  base: 'base',
  address: '10.0.3.5',
  managementAddress: '10.0.3.5',
  hostKey: 'ssh-ed25519 AAAA',
  bridge: 'gxo0',
  ports: {},
  madeWith: madeWith(OLD),
}
const configFile = () => path.join(fake.lxcDir, 'web', 'config')

let before: string
beforeEach(async () => {
  fake.lxcDir = await mkdtemp(path.join(tmpdir(), 'guix-ops-lxc-reconfigure-'))
  fake.boots = []
  await mkdir(path.join(fake.lxcDir, 'web'))
  await mkdir(path.join(fake.lxcDir, 'mnt'))
  // The config as guix-ops wrote it with the old options.
  before = withOptionLines(
    CONFIG,
    optionLines(OLD, () => false),
  )
  await writeFile(configFile(), before)
})
afterEach(() => rm(fake.lxcDir, { recursive: true, force: true }))

describe('a change the container refuses', () => {
  it('puts the previous config back when the kernel refuses a memory limit, and says so', async () => {
    const error = await reconfigure(ctx, resource, { ...OLD, memory: 64 }, true).catch((e: Error) => e)
    expect(await readFile(configFile(), 'utf8')).toBe(before)
    expect(error).toMatchObject({ code: LxcError.Reconfigure })
    expect((error as Error).message).toMatch(/previous LXC config was put back/)
  })

  it('puts the previous config back when the container does not boot with a new mount, and starts it with that', async () => {
    const mounts = [{ source: path.join(fake.lxcDir, 'mnt'), target: '/srv', readOnly: false }]
    const changed = await reconfigure(ctx, resource, { ...OLD, mounts }, true)
    expect(changed.stopped).toBe(true)
    const error = await bootOrPutBack(ctx, changed, true).catch((e: Error) => e)
    expect((error as Error).message).toMatch(/previous LXC config was put back and the container was started again/)
    expect(await readFile(configFile(), 'utf8')).toBe(before)
    expect(fake.boots.at(-1)).toBe(before)
  })
})
