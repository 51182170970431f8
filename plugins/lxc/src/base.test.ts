/**
 * `guix-ops lxc images rm` refuses a base a container still stands on, seen
 * from the containers' own files: the base's lxc_snapshots can lack an entry
 * (guix-ops appends to it without LXC's lock), and then lxc-destroy removes
 * the base from under the clone. LXC's tools are stood in for; the files are
 * laid out as overlay-clone.ts writes them (as lxc-copy -s -B overlayfs).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { LxcError } from './codes.js'

const fake = vi.hoisted(() => ({ lxcDir: '', ran: [] as string[][] }))

vi.mock('./containers.js', async (importOriginal) => ({
  ...(await importOriginal<typeof import('./containers.js')>()),
  lxcPath: async () => fake.lxcDir,
  // lxc-destroy succeeds, as LXC's does when the base's lxc_snapshots lists no clone.
  lxc: async (argv: readonly string[]) => {
    fake.ran.push([...argv])
    return { code: 0, stdout: '', stderr: '' }
  },
}))

const { removeBase, STAMP } = await import('./base.js')
const BASE = 'guix-ops-lxc-bookworm-amd64'

async function container(name: string, config: string, rdepends?: string): Promise<void> {
  await mkdir(path.join(fake.lxcDir, name, 'rootfs'), { recursive: true })
  await writeFile(path.join(fake.lxcDir, name, 'config'), config)
  if (rdepends) await writeFile(path.join(fake.lxcDir, name, 'lxc_rdepends'), rdepends)
}

beforeEach(async () => {
  fake.lxcDir = await mkdtemp(path.join(tmpdir(), 'guix-ops-lxc-base-'))
  fake.ran = []
  await container(BASE, `lxc.rootfs.path = dir:${fake.lxcDir}/${BASE}/rootfs\nlxc.uts.name = ${BASE}\n`)
  await writeFile(path.join(fake.lxcDir, BASE, STAMP), '{"release":"bookworm","arch":"amd64"}')
})
afterEach(() => rm(fake.lxcDir, { recursive: true, force: true }))

describe('removing a base', () => {
  it('refuses while a clone stands on it though lxc_snapshots lost its entry, naming the clone', async () => {
    const root = `overlay:${fake.lxcDir}/${BASE}/rootfs:${fake.lxcDir}/gxo-web/overlay/delta`
    await container('gxo-web', `lxc.rootfs.path = ${root}\nlxc.uts.name = web\n`)
    await container('gxo-db', 'lxc.rootfs.path = dir:/elsewhere/rootfs\n', `${fake.lxcDir}\n${BASE}\n`)
    const error = await removeBase(BASE).catch((e: Error) => e)
    expect(fake.ran.filter((argv) => argv[0] === 'lxc-destroy')).toEqual([])
    expect(error).toMatchObject({ code: LxcError.Base })
    expect((error as Error).message).toMatch(/gxo-db, gxo-web/)
  })

  it('removes a base no container stands on', async () => {
    await container('other', 'lxc.rootfs.path = dir:/elsewhere/rootfs\n')
    await removeBase(BASE)
    expect(fake.ran).toEqual([['lxc-destroy', '-n', BASE]])
  })
})
