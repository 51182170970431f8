// `delete --force` forgets machines that still exist, and with them the keys
// in their state dirs: never while one of them still runs.
import { existsSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { guixOps, json, snapshot } from '../support/cli.js'
import { calls, fakeFleet, machineFiles } from '../support/fake-cloud.js'

describe('delete --force', () => {
  it('refuses while a machine runs, names it and how to destroy it, and changes nothing', () => {
    const fleet = fakeFleet('shop', { db: {}, cache: { status: 'stopped' } })
    const before = snapshot(fleet.stateDir)
    const result = guixOps(['delete', '-d', 'shop', '--force'], fleet)
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('E_MACHINES_RUNNING')
    expect(result.stderr).toContain('may still run: db (up);')
    expect(result.stderr).not.toContain('cache (')
    expect(result.stderr).toContain('guix-ops destroy -d shop')
    expect(snapshot(fleet.stateDir)).toEqual(before)
    for (const file of machineFiles(fleet, 'db')) expect(existsSync(file), file).toBe(true)
    expect(calls(fleet)).toEqual([])

    const asJson = guixOps(['delete', '-d', 'shop', '--force', '--json'], fleet)
    expect(json<{ error: { code: string } }>(asJson).error.code).toBe('E_MACHINES_RUNNING')
  })

  it('forgets machines that are all stopped, with a warning', () => {
    const fleet = fakeFleet('shop', { db: { status: 'stopped' }, cache: { status: 'stopped' } })
    const result = guixOps(['delete', '-d', 'shop', '--force'], fleet)
    expect(result.code, result.stderr).toBe(0)
    expect(result.stderr).toContain('forgot 2 machine(s) that still exist: db, cache')
    expect(json<unknown[]>(guixOps(['list', '--json'], fleet))).toEqual([])
  })

  it("forgets a managed host: it is not guix-ops' to run or destroy", () => {
    const fleet = fakeFleet('mixed', { db: { status: 'stopped' }, host: 'managed' })
    const result = guixOps(['delete', '-d', 'mixed', '--force'], fleet)
    expect(result.code, result.stderr).toBe(0)
  })
})
