// Two deploys of one deployment at once, and a host whose key changed, on a
// real Debian host (an LXC container). One deploy wins and the other is
// refused; nothing at all is deployed to a host whose key is not the pinned one.
import { afterAll, describe, expect, it, vi } from 'vitest'
import { json } from '../support/cli.js'
import { lxcUnavailable } from '../support/lxc.js'
import { Bench, ORIGINAL, ROUND_FILE, TAKEN } from './support/bench.js'
import { startCli, swapHostKeys } from './support/faults.js'
import { faultSuite } from './support/tally.js'

vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 })

const unavailable = lxcUnavailable()
if (unavailable) console.warn(`skipping the lock and host-key reliability tests: ${unavailable}`)

describe.skipIf(unavailable !== undefined)('concurrent deploys and a changed host key', () => {
  const bench = new Bench('keys')
  const { fault } = faultSuite('locks-and-keys')
  afterAll(() => bench.destroy())

  fault('two deploys of one deployment at once', () =>
    bench.round(async (s) => {
      s.nextRound()
      const runs = [startCli(s, ['deploy', '-d', s.name]), startCli(s, ['deploy', '-d', s.name])]
      const results = await Promise.all(runs.map((r) => r.done))
      for (const r of results) {
        if (r.code !== 0) expect(json<{ error: { code: string } }>(r).error.code, r.stdout).toBe('E_STATE_LOCKED')
      }
      expect(results.filter((r) => r.code === 0).length, 'no deploy succeeded').toBeGreaterThanOrEqual(1)
      s.expectStateParses()
      s.expectOriginalOrIntended()
      s.expectRecovered()
    }),
  )

  let refusal = ''
  let refusedDeployment = ''
  fault('the host key swapped', () =>
    bench.round(async (s) => {
      const pinned = s.recorded()?.hostKey
      const roundBefore = s.fileOnHost(ROUND_FILE)
      swapHostKeys(s.host)
      s.nextRound()
      const result = s.cli(['deploy', '-d', s.name])
      expect(result.code, result.stdout).toBe(1)
      refusal = result.stdout + result.stderr
      refusedDeployment = s.name
      expect(result.stderr).toMatch(/host key of machine "box" .* has changed/)
      // Nothing reached the host, and the pinned key is still the old one.
      expect(s.fileOnHost(TAKEN)).toBe(ORIGINAL)
      expect(s.fileOnHost(ROUND_FILE)).toBe(roundBefore)
      expect(s.expectStateParses()?.hostKey).toBe(pinned)
      const check = s.cli(['check', '-d', s.name, '--json'])
      expect(check.code).not.toBe(0)
      expect(json<{ machines: { hostKey: string }[] }>(check).machines[0]?.hostKey).toBe('changed')
      // The operator checked the new key and accepts it.
      const reset = s.cli(['ssh-keys', 'reset', '-d', s.name, 'box'])
      expect(reset.code, reset.stderr).toBe(0)
      s.expectRecovered()
    }),
  )

  it('the refusal of a changed host key names the command that accepts a new one', () => {
    expect(refusal, 'the host-key case did not run').not.toBe('')
    expect(refusal).toContain(`guix-ops ssh-keys reset -d ${refusedDeployment} box`)
  })
})
