// `start` and `stop` through the built CLI, on fake-cloud machines whose
// power state lives in files the test reads back.
import { describe, expect, it } from 'vitest'
import { guixOps, json, snapshot } from '../support/cli.js'
import { calls, failNext, fakeFleet, machineFile } from '../support/fake-cloud.js'

interface PowerResult {
  machine: string
  action?: string
  status?: string
  error?: string
  code?: string
  suggestion?: string
}

describe('guix-ops start and stop', () => {
  it('starts stopped machines and waits until they are up; machines already up are not started again', () => {
    const fleet = fakeFleet('pair', { db: { status: 'stopped' }, web: { status: 'up', needs: ['db'] } })
    const started = guixOps(['start', '-d', 'pair'], { stateDir: fleet.stateDir })
    expect(started.code, started.stderr).toBe(0)
    expect(started.stdout).toMatch(/db\s+started, up/)
    expect(started.stdout).toMatch(/web\s+already up/)
    expect(started.stderr).toContain('[db] starting')
    expect(calls(fleet)).toEqual(['start db'])
    expect(machineFile(fleet, 'db')?.status).toBe('up')
  })

  it('round trip: stop, then start again, reporting each status as JSON', () => {
    const fleet = fakeFleet('pair', { db: {}, web: { needs: ['db'] } })
    const stopped = json<PowerResult[]>(guixOps(['stop', '-d', 'pair', 'web', '--json'], { stateDir: fleet.stateDir }))
    expect(stopped).toEqual([{ machine: 'web', action: 'stopped', status: 'stopped' }])
    expect(machineFile(fleet, 'web')?.status).toBe('stopped')
    expect(machineFile(fleet, 'db')?.status).toBe('up')

    const again = json<PowerResult[]>(guixOps(['stop', '-d', 'pair', 'web', '--json'], { stateDir: fleet.stateDir }))
    expect(again).toEqual([{ machine: 'web', action: 'already-stopped', status: 'stopped' }])

    const started = guixOps(['start', '-d', 'pair', '--json'], { stateDir: fleet.stateDir })
    expect(started.code).toBe(0)
    expect(json<PowerResult[]>(started)).toEqual([
      { machine: 'db', action: 'already-up', status: 'up' },
      { machine: 'web', action: 'started', status: 'up' },
    ])
    expect(calls(fleet)).toEqual(['stop web', 'start web'])
  })

  it('a machine the platform fails to start is reported, exit 1; the others are started', () => {
    const fleet = fakeFleet('pair', { db: { status: 'stopped' }, web: { status: 'stopped' } })
    failNext(fleet, 'db', 'start')
    const result = guixOps(['start', '-d', 'pair', '--json'], { stateDir: fleet.stateDir })
    expect(result.code).toBe(1)
    expect(json<PowerResult[]>(result)).toEqual([
      { machine: 'db', error: 'fake-cloud could not start db', code: 'E_FAKE_CLOUD' },
      { machine: 'web', action: 'started', status: 'up' },
    ])
    expect(machineFile(fleet, 'db')?.status).toBe('stopped')
  })

  it('a machine that does not come up within --timeout is reported as such, exit 1', () => {
    const fleet = fakeFleet('pair', { db: { status: 'stopped' } })
    failNext(fleet, 'db', 'boot')
    const result = guixOps(['start', '-d', 'pair', '--timeout', '1', '--json'], { stateDir: fleet.stateDir })
    expect(result.code).toBe(1)
    const hint = 'look at its console or log; raise --timeout if it only boots slowly'
    expect(json<PowerResult[]>(result)).toEqual([
      {
        machine: 'db',
        error: 'machine "db" is still starting 1 s after it was started',
        code: 'E_START_TIMEOUT',
        suggestion: hint,
      },
    ])
    // On the terminal too: the code in the table, the hint after it.
    const text = guixOps(['start', '-d', 'pair', '--timeout', '1'], { stateDir: fleet.stateDir })
    expect(text.code).toBe(1)
    expect(text.stdout).toMatch(
      /db\s+failed: machine "db" is still starting 1 s after it was started \[E_START_TIMEOUT\]/,
    )
    expect(text.stdout).toContain(`hint (db): ${hint}`)
  })

  it('a managed host is refused by name: its platform cannot start or stop machines', () => {
    const fleet = fakeFleet('mixed', { db: {}, host: 'managed' })
    const text = guixOps(['stop', '-d', 'mixed', 'host'], { stateDir: fleet.stateDir })
    expect(text.code).toBe(1)
    expect(text.stdout).toContain('platform "managed" cannot stop machines')
    const started = json<PowerResult[]>(guixOps(['start', '-d', 'mixed', '--json'], { stateDir: fleet.stateDir }))
    expect(started).toEqual([
      { machine: 'db', action: 'already-up', status: 'up' },
      expect.objectContaining({ machine: 'host', code: 'E_CAPABILITY' }),
    ])
    expect(started[1]?.error).toContain('platform "managed" cannot start machines')
    expect(calls(fleet)).toEqual([])
  })

  it('an unknown machine name is rejected before any machine is touched', () => {
    const fleet = fakeFleet('pair', { db: {}, web: {} })
    const before = snapshot(fleet.stateDir)
    const result = guixOps(['stop', '-d', 'pair', 'db', 'wbe', '--json'], { stateDir: fleet.stateDir })
    expect(result.code).toBe(1)
    const { error } = json<{ error: { code: string; message: string; suggestion: string } }>(result)
    expect(error.code).toBe('E_USAGE')
    expect(error.message).toBe('deployment "pair" has no machine "wbe"')
    expect(error.suggestion).toBe('machines: db, web')
    expect(calls(fleet)).toEqual([])
    expect(machineFile(fleet, 'db')?.status).toBe('up')
    expect(snapshot(fleet.stateDir)).toEqual(before)
  })
})
