// The connection to a real Debian host (an LXC container) lost in the middle
// of a deploy, after its files are written: sshd killed (systemd starts it
// again), or every packet dropped inside the host's network namespace (no
// reset, as with a cut cable). guix-ops must fail in bounded time, naming
// the machine, and leave nothing that the next deploy cannot put right.
import { afterAll, describe, expect, vi } from 'vitest'
import { json } from '../support/cli.js'
import { lxcUnavailable } from '../support/lxc.js'
import { Bench, intended, type Session, TAKEN } from './support/bench.js'
import { blackHole, gate, type RunningCli, sshd, startCli, timed, until } from './support/faults.js'
import { faultSuite } from './support/tally.js'

vi.setConfig({ testTimeout: 240_000, hookTimeout: 180_000 })

const unavailable = lxcUnavailable()
if (unavailable) console.warn(`skipping the lost-connection reliability tests: ${unavailable}`)

/** Starts a deploy and waits until it holds in apply with the round's files written. */
async function deployHeldAfterWrites(s: Session): Promise<RunningCli> {
  const round = s.nextRound()
  gate.close(s.host)
  const run = startCli(s, ['deploy', '-d', s.name])
  await until('the new file content on the host', () => s.fileOnHost(TAKEN) === intended(round))
  return run
}

/** The deploy ended by itself within `seconds`, failed, and said which machine. */
async function expectFailedWithin(run: RunningCli, seconds: number): Promise<void> {
  const guard = setTimeout(() => run.kill(), seconds * 1000)
  const { value: result, seconds: took } = await timed(run.done)
  clearTimeout(guard)
  expect(took, `the deploy hung for ${took} s`).toBeLessThan(seconds)
  expect(result.code, result.stdout).toBe(1)
  const summary = json<{ failed: { machine: string; error: string }[] }>(result)
  expect(summary.failed.map((f) => f.machine)).toEqual(['box'])
}

describe.skipIf(unavailable !== undefined)('the connection lost during a deploy', () => {
  const bench = new Bench('conn')
  const { fault } = faultSuite('connection')
  afterAll(() => bench.destroy())

  fault('sshd killed during apply', () =>
    bench.round(async (s) => {
      const run = await deployHeldAfterWrites(s)
      try {
        sshd.kill(s.host)
        await expectFailedWithin(run, 30)
      } finally {
        gate.open(s.host)
      }
      await until('sshd started again by systemd', () => sshd.isActive(s.host))
      s.expectStateParses()
      s.expectOriginalOrIntended()
      s.expectRecovered()
    }),
  )

  // ssh keepalives (every 15 s, 3 missed) are what notice a silent peer: about a minute.
  fault('every packet to and from sshd dropped during apply', () =>
    bench.round(async (s) => {
      const run = await deployHeldAfterWrites(s)
      try {
        blackHole.on(s.host)
        await expectFailedWithin(run, 120)
      } finally {
        blackHole.off(s.host)
        gate.open(s.host)
      }
      s.expectStateParses()
      s.expectOriginalOrIntended()
      s.expectRecovered()
    }),
  )
})
