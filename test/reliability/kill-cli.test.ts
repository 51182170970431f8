// kill -9 of guix-ops at each step of a deploy to a real Debian host (an LXC
// container), as when the machine running it loses power. Whatever the step,
// the state still parses, the next deploy converges with no drift, and the
// original of a file the config takes over is never lost.
import { afterAll, describe, expect, vi } from 'vitest'
import { lxcUnavailable } from '../support/lxc.js'
import { Bench, intended, ORIGINAL, TAKEN } from './support/bench.js'
import { gate, type Step, sshd, startCli, until } from './support/faults.js'
import { faultSuite } from './support/tally.js'

vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 })

const unavailable = lxcUnavailable()
if (unavailable) console.warn(`skipping the kill -9 reliability tests: ${unavailable}`)

describe.skipIf(unavailable !== undefined)('kill -9 of the CLI during a deploy', () => {
  const bench = new Bench('kill')
  const { fault } = faultSuite('kill-cli')
  afterAll(() => bench.destroy())

  for (const step of ['provision', 'connect', 'plan', 'apply'] as Step[]) {
    fault(`killed as step "${step}" starts`, () =>
      bench.round(async (s) => {
        s.nextRound()
        const run = startCli(s, ['deploy', '-d', s.name])
        await run.reached(step)
        run.kill()
        await run.done
        s.expectStateParses()
        s.expectOriginalOrIntended()
        s.expectRecovered()
      }),
    )
  }

  fault('killed during apply, after the files are written and before the deploy is recorded', () =>
    bench.round(async (s) => {
      const round = s.nextRound()
      gate.close(s.host)
      const run = startCli(s, ['deploy', '-d', s.name])
      try {
        await until('the new file content on the host', () => s.fileOnHost(TAKEN) === intended(round))
        run.kill()
        await run.done
      } finally {
        gate.open(s.host)
      }
      s.expectStateParses()
      s.expectOriginalOrIntended()
      s.expectRecovered()
    }),
  )

  fault('killed at confirm: the apply is done, the fresh connection that confirms it never gets an answer', () =>
    bench.round(async (s) => {
      const before = s.expectStateParses()?.currentGeneration ?? 0
      const round = s.nextRound()
      gate.close(s.host)
      const run = startCli(s, ['deploy', '-d', s.name])
      try {
        await until('the new file content on the host', () => s.fileOnHost(TAKEN) === intended(round))
        // The deploy's own connection goes on; the fresh one that confirms waits in the accept queue.
        sshd.freezeListener(s.host)
        gate.open(s.host)
        await until('the confirming connection', () => sshd.waitingConnections(s.host) > 0)
        run.kill()
        await run.done
      } finally {
        gate.open(s.host)
        sshd.thawListener(s.host)
      }
      s.expectStateParses()
      s.expectOriginalOrIntended()
      // Never confirmed: the host puts its files back by itself once its timer (10 s here) runs out.
      await until('the host rolling itself back', () => s.fileOnHost(TAKEN) === ORIGINAL, 60_000)
      // The next command finds the host back at the generation before the deploy, and says so.
      s.cli(['check', '-d', s.name])
      const recorded = s.expectStateParses()?.currentGeneration
      s.soft(() => expect(recorded, 'the state records a generation the host rolled back from').toBe(before))
      s.expectRecovered()
    }),
  )
})
