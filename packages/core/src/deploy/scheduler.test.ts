import { describe, expect, it } from 'vitest'
import { schedule } from './scheduler.js'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('schedule', () => {
  it('starts a machine only after its dependencies, and runs independent ones in parallel up to the limit', async () => {
    const deps = { db: [], cache: [], a: [], b: [], app: ['db', 'cache'], proxy: ['app'] }
    const log: string[] = []
    let active = 0
    let peak = 0
    const outcome = await schedule(Object.keys(deps), deps, 3, false, async (m) => {
      active++
      peak = Math.max(peak, active)
      log.push(`start ${m}`)
      await sleep(20)
      log.push(`end ${m}`)
      active--
      return { ok: true }
    })
    expect(peak).toBe(3)
    expect(log.indexOf('start app')).toBeGreaterThan(Math.max(log.indexOf('end db'), log.indexOf('end cache')))
    expect(log.indexOf('start proxy')).toBeGreaterThan(log.indexOf('end app'))
    expect(outcome.succeeded.sort()).toEqual(Object.keys(deps).sort())
  })

  it('skips the dependents of a failed machine, transitively, and goes on with the others', async () => {
    const deps = { db: [], app: ['db'], proxy: ['app'], other: [] }
    const outcome = await schedule(Object.keys(deps), deps, 10, false, async (m) =>
      m === 'db' ? { ok: false, reason: 'boom' } : { ok: true },
    )
    expect(outcome.failed).toEqual(['db'])
    expect(outcome.succeeded).toEqual(['other'])
    expect(Object.fromEntries(outcome.skipped)).toEqual({
      app: 'dependency "db" failed',
      proxy: 'dependency "app" was skipped',
    })
  })

  it('with abort, starts nothing after a failure', async () => {
    const deps = { a: [], b: [], c: [], d: [] }
    const started: string[] = []
    const outcome = await schedule(Object.keys(deps), deps, 1, true, async (m) => {
      started.push(m)
      return m === 'b' ? { ok: false, reason: 'boom' } : { ok: true }
    })
    expect(started).toEqual(['a', 'b'])
    expect([...outcome.skipped.keys()]).toEqual(['c', 'd'])
  })

  it('treats dependencies outside the selection as deployed, and a throwing task as failed', async () => {
    const outcome = await schedule(['app'], { app: ['db'] }, 2, false, async () => {
      throw new Error('thrown')
    })
    expect(outcome.failed).toEqual(['app'])
  })
})
