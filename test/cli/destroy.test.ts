// `destroy` through the built CLI, on fake-cloud machines: the order and
// outcome of each destroy are read from the platform's own record of calls.

import { existsSync, writeFileSync } from 'node:fs'
import { hostname } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { guixOps, json, snapshot } from '../support/cli.js'
import { calls, failNext, fakeFleet, machineFile, machineFiles, recorded } from '../support/fake-cloud.js'

interface Summary {
  deployment: { id: string; name: string }
  outcomes: { machine: string; result: string; error?: string; code?: string }[]
}

// edge -> web -> db, and cache on its own.
const CHAIN = { db: {}, cache: {}, web: { needs: ['db', 'cache'] }, edge: { needs: ['web'] } }

describe('guix-ops destroy', () => {
  it('destroys dependents first, records the machines as gone, and then delete needs no --force', () => {
    const fleet = fakeFleet('shop', CHAIN)
    const result = guixOps(['destroy', '-d', 'shop', '--yes'], { stateDir: fleet.stateDir })
    expect(result.code, result.stderr).toBe(0)
    const done = calls(fleet)
    expect([...done].sort()).toEqual(['destroy cache', 'destroy db', 'destroy edge', 'destroy web'])
    expect(done.indexOf('destroy edge')).toBeLessThan(done.indexOf('destroy web'))
    expect(done.indexOf('destroy web')).toBeLessThan(done.indexOf('destroy db'))
    expect(done.indexOf('destroy web')).toBeLessThan(done.indexOf('destroy cache'))
    for (const m of ['db', 'cache', 'web', 'edge']) {
      expect(machineFile(fleet, m)).toBeUndefined()
      for (const file of machineFiles(fleet, m)) expect(existsSync(file), file).toBe(false)
    }
    expect(result.stdout).toMatch(/edge\s+destroyed/)

    // Still in the config, so still listed, but with nothing that exists.
    expect(recorded(fleet).web).toEqual({ platform: 'fake-cloud', system: 'fake-os' })
    const info = json<{ machines: { name: string; recorded: string }[] }>(
      guixOps(['info', '-d', 'shop', '--json'], { stateDir: fleet.stateDir }),
    )
    expect(info.machines.map((m) => m.recorded)).toEqual(['not-created', 'not-created', 'not-created', 'not-created'])
    const deleted = guixOps(['delete', '-d', 'shop'], { stateDir: fleet.stateDir })
    expect(deleted.code, deleted.stderr).toBe(0)
  })

  it('reports each machine as JSON, and destroys only the machines named', () => {
    const fleet = fakeFleet('shop', CHAIN)
    const summary = json<Summary>(guixOps(['destroy', '-d', 'shop', 'edge', 'web', '--yes', '--json'], fleet))
    expect(summary.deployment.name).toBe('shop')
    expect(summary.outcomes).toEqual([
      { machine: 'edge', result: 'destroyed' },
      { machine: 'web', result: 'destroyed' },
    ])
    expect(calls(fleet)).toEqual(['destroy edge', 'destroy web'])
    expect(machineFile(fleet, 'db')?.status).toBe('up')
    expect(recorded(fleet).db?.resource).toBeDefined()

    const again = json<Summary>(guixOps(['destroy', '-d', 'shop', 'web', '--yes', '--json'], fleet))
    expect(again.outcomes).toEqual([{ machine: 'web', result: 'not-created' }])
  })

  it('a machine whose destroy fails keeps its state and fails the command; the others are destroyed', () => {
    const fleet = fakeFleet('shop', CHAIN)
    failNext(fleet, 'web', 'destroy')
    const result = guixOps(['destroy', '-d', 'shop', '--yes', '--json'], fleet)
    expect(result.code).toBe(1)
    const summary = json<Summary>(result)
    expect(summary.outcomes.find((o) => o.machine === 'web')).toEqual({
      machine: 'web',
      result: 'failed',
      error: 'fake-cloud could not destroy web',
      code: 'E_FAKE_CLOUD',
    })
    expect(
      summary.outcomes
        .filter((o) => o.result === 'destroyed')
        .map((o) => o.machine)
        .sort(),
    ).toEqual(['cache', 'db', 'edge'])
    expect(recorded(fleet).web).toMatchObject({ resource: { id: 'web' }, address: '10.0.0.3' })
    expect(machineFile(fleet, 'web')).toBeDefined()
    for (const file of machineFiles(fleet, 'web')) expect(existsSync(file), file).toBe(true)
    for (const file of machineFiles(fleet, 'db')) expect(existsSync(file), file).toBe(false)

    const refused = guixOps(['delete', '-d', 'shop'], fleet)
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain('E_DEPLOYMENT_LIVE')
    expect(refused.stderr).toContain('1 machine(s) that exist: web')
  })

  it('a managed host is not destroyed: refused by name, kept, and forgotten only with --forget', () => {
    const fleet = fakeFleet('mixed', { db: {}, host: 'managed' })
    const refused = guixOps(['destroy', '-d', 'mixed', '--yes'], fleet)
    expect(refused.code).toBe(1)
    expect(refused.stdout).toMatch(/host\s+refused: platform "managed" cannot destroy machines/)
    expect(refused.stdout).toContain("is not guix-ops' to destroy; pass --forget")
    expect(recorded(fleet).host?.resource).toBeDefined()
    expect(recorded(fleet).db?.resource).toBeUndefined()

    const forgot = guixOps(['destroy', '-d', 'mixed', '--yes', '--forget', '--json'], fleet)
    expect(forgot.code).toBe(0)
    expect(json<Summary>(forgot).outcomes).toEqual([{ machine: 'host', result: 'forgotten' }])
    expect(forgot.stderr).toContain('"code":"W_FORGOT_MACHINE"')
    expect(calls(fleet)).toEqual(['destroy db'])
    expect(guixOps(['delete', '-d', 'mixed'], fleet).code).toBe(0)
  })

  it('refuses without --yes when stdin is not a terminal, and changes nothing', () => {
    const fleet = fakeFleet('shop', CHAIN)
    const before = snapshot(fleet.stateDir)
    const result = guixOps(['destroy', '-d', 'shop'], fleet)
    expect(result.code).toBe(1)
    expect(result.stderr).toContain(
      'error E_CONFIRMATION_REQUIRED: destroy needs confirmation, and stdin is not a terminal',
    )
    expect(result.stderr).toContain('pass --yes')
    expect(calls(fleet)).toEqual([])
    expect(snapshot(fleet.stateDir)).toEqual(before)
  })

  it('rejects an unknown machine name, and a lock held by another command, before destroying anything', () => {
    const fleet = fakeFleet('shop', CHAIN)
    const before = snapshot(fleet.stateDir)
    const unknown = guixOps(['destroy', '-d', 'shop', 'edge', 'eggde', '--yes'], fleet)
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toContain('deployment "shop" has no machine "eggde"')

    const lock = {
      pid: 4242,
      host: `not-${hostname()}`,
      command: 'guix-ops deploy',
      startedAt: '2026-01-01T00:00:00.000Z',
    }
    writeFileSync(path.join(fleet.stateDir, 'locks', 'shop.lock'), JSON.stringify(lock), { mode: 0o600 })
    const locked = guixOps(['destroy', '-d', 'shop', '--yes'], fleet)
    expect(locked.code).toBe(1)
    expect(locked.stderr).toContain('E_STATE_LOCKED')
    expect(calls(fleet)).toEqual([])
    const { 'locks/shop.lock': _lock, ...after } = snapshot(fleet.stateDir)
    expect(after).toEqual(before)
  })
})
