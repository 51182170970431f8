// `delete` removes every file of the deployment it deletes, and nothing of
// another. A delete cut off midway (here: a file the system refuses to
// remove) is not shown by `list` as a deployment that still exists, and
// running it again finishes it.
import { spawnSync } from 'node:child_process'
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { guixOps, json } from '../support/cli.js'
import { fakeFleet, machineFiles } from '../support/fake-cloud.js'

/** Every path under `dir`, relative to it. */
function allPaths(dir: string): string[] {
  return readdirSync(dir, { recursive: true }).map(String).sort()
}

const listed = (stateDir: string) =>
  json<{ name: string }[]>(guixOps(['list', '--json'], { stateDir })).map((d) => d.name)

/** Only root may make a file immutable; chattr needs a file system that has the flag (ext4 does). */
function canPinFiles(): boolean {
  return process.getuid?.() === 0 && spawnSync('chattr', ['--help']).error === undefined
}

describe.skipIf(!canPinFiles())('delete leaves nothing of the deployment behind', () => {
  it('an interrupted delete is not listed, and running it again removes every file of it and nothing else', () => {
    const fleet = fakeFleet('shop', { db: { status: 'stopped' }, cache: { status: 'stopped' } })
    const id = path.basename(fleet.stateFile, '.json')
    // A second deployment in the same state dir, whose files must all stay.
    const otherConfig = path.join(path.dirname(fleet.stateDir), 'other.config.json')
    const config = JSON.parse(readFileSync(path.join(path.dirname(fleet.stateDir), 'guix-ops.config.json'), 'utf8'))
    writeFileSync(otherConfig, JSON.stringify({ ...config, name: 'other' }))
    expect(guixOps(['create', otherConfig], fleet).code).toBe(0)
    const others = allPaths(fleet.stateDir).filter((p) => !p.includes(id) && !p.includes('shop'))

    const stuck = machineFiles(fleet, 'db')[1]!
    spawnSync('chattr', ['+i', stuck])
    let first: ReturnType<typeof guixOps>
    try {
      first = guixOps(['delete', '-d', 'shop', '--force'], fleet)
    } finally {
      spawnSync('chattr', ['-i', stuck])
    }
    expect(first.code, 'the delete that could not remove a file').toBe(1)
    expect(listed(fleet.stateDir), 'deployments listed after the interrupted delete').toEqual(['other'])
    expect(first.stderr).toContain('E_STATE_IO')

    const again = guixOps(['delete', '-d', 'shop', '--force'], fleet)
    expect(again.code, again.stderr).toBe(0)
    expect(again.stdout).toContain(`Deleted deployment "shop" (${id})`)
    expect(allPaths(fleet.stateDir).filter((p) => p.includes(id) || p.includes('shop'))).toEqual([])
    expect(allPaths(fleet.stateDir)).toEqual(others)
    expect(listed(fleet.stateDir)).toEqual(['other'])
  })
})
