import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { idMapConfig, rootIdMap, subordinateStart } from './idmap.js'

describe("an unprivileged container's id map", () => {
  let dir: string
  afterEach(() => rmSync(dir, { recursive: true, force: true }))
  const files = (subuid: string, subgid: string) => {
    dir = mkdtempSync(path.join(tmpdir(), 'guix-ops-idmap-'))
    writeFileSync(path.join(dir, 'subuid'), subuid)
    writeFileSync(path.join(dir, 'subgid'), subgid)
    return { subuid: path.join(dir, 'subuid'), subgid: path.join(dir, 'subgid') }
  }

  it("is root's first range of 65536 ids, skipping other users and short ranges", () => {
    expect(subordinateStart('alice:100000:65536\nroot:200000:1000\nroot:300000:65536\n', 'root')).toBe(300000)
    expect(subordinateStart('root:100000:65535\n', 'root')).toBeUndefined()
    expect(rootIdMap('web', files('root:100000:65536\n', 'root:200000:131072\n'))).toEqual({ uid: 100000, gid: 200000 })
    expect(idMapConfig({ uid: 100000, gid: 200000 })).toContain('lxc.idmap = g 0 200000 65536')
  })

  it('without a range for root, names the file and what to run, and the machine', () => {
    const map = files('root:100000:65536\n', '')
    expect(() => rootIdMap('web', map)).toThrow(
      expect.objectContaining({
        code: 'E_LXC_UNPRIVILEGED',
        message: expect.stringContaining(`${map.subgid} gives root no range of 65536`),
        suggestion: expect.stringContaining('usermod --add-subuids 100000-165535 --add-subgids 100000-165535 root'),
        where: expect.objectContaining({ machine: 'web' }),
      }),
    )
    expect(() => rootIdMap('web', { subuid: path.join(dir, 'none'), subgid: map.subgid })).toThrow(/none gives root/)
  })
})
