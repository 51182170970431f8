// A corrupt state file may be the very deployment being created: `create`
// must not record a second one of that name (without its machines and host
// keys), but a corrupt file that legibly names another deployment does not
// block it.
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { guixOps, snapshot, tempDir } from '../support/cli.js'

const ID = '6f0a3a52-3d1c-4d5e-9a55-1b2c3d4e5f60'

function stateWithCorruptFile(text: string): { stateDir: string; file: string } {
  const stateDir = tempDir()
  mkdirSync(path.join(stateDir, 'deployments'), { recursive: true, mode: 0o700 })
  mkdirSync(path.join(stateDir, 'locks'), { mode: 0o700 })
  const file = path.join(stateDir, 'deployments', `${ID}.json`)
  writeFileSync(file, text, { mode: 0o600 })
  return { stateDir, file }
}

function config(name: string): string {
  const file = path.join(tempDir(), 'guix-ops.config.ts')
  writeFileSync(
    file,
    `export default { name: '${name}', machines: { db: { platform: { type: 'qemu' }, system: { type: 'debian' } } } }\n`,
  )
  return file
}

const truncated = (name: string) =>
  `{\n  "kind": "guix-ops/deployment",\n  "version": 2,\n  "id": "${ID}",\n  "name": "${name}",\n  "machines": {\n    "db": { "hostKey": "ssh-ed25519 AAAA`

describe('create over a corrupt state file', () => {
  it('refuses when the file holds a deployment of that name, naming it and the way out', () => {
    const { stateDir, file } = stateWithCorruptFile(truncated('shop'))
    const before = snapshot(stateDir)
    const result = guixOps(['create', config('shop')], { stateDir })
    expect(result.code).not.toBe(0)
    expect(result.stderr).toContain('E_STATE_CORRUPT')
    expect(result.stderr).toContain(`cannot create deployment "shop": state file ${file} is corrupt`)
    expect(result.stderr).toContain('it holds a deployment named "shop"')
    expect(result.stderr).toContain('guix-ops import')
    expect(snapshot(stateDir)).toEqual(before)
    expect(guixOps(['list'], { stateDir }).stdout).not.toMatch(/^shop\s/m)
  })

  it('refuses when the file is too damaged to say which deployment it was', () => {
    const { stateDir } = stateWithCorruptFile('{\n  "kind": "guix-o')
    const result = guixOps(['create', config('shop')], { stateDir })
    expect(result.code).not.toBe(0)
    expect(result.stderr).toContain('it may hold that deployment')
  })

  it('creates a deployment of another name', () => {
    const { stateDir } = stateWithCorruptFile(truncated('billing'))
    const result = guixOps(['create', config('shop')], { stateDir })
    expect(result.code, result.stderr).toBe(0)
  })
})
