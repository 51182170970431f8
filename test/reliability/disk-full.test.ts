// A real Debian host (an LXC container) whose disk is full where the config
// writes a file: a small tmpfs mounted over that directory. The deploy must
// fail saying which file and why, leave no temp file behind, and converge
// once there is room again.
import { afterAll, describe, expect, vi } from 'vitest'
import { json } from '../support/cli.js'
import { lxcUnavailable } from '../support/lxc.js'
import { Bench } from './support/bench.js'
import { fullDisk } from './support/faults.js'
import { faultSuite } from './support/tally.js'

vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 })

const unavailable = lxcUnavailable()
if (unavailable) console.warn(`skipping the disk-full reliability test: ${unavailable}`)

const FULL = '/srv/full'
const BIG = `${FULL}/big.dat`

describe.skipIf(unavailable !== undefined)('a full disk on the target', () => {
  const bench = new Bench('disk')
  const { fault } = faultSuite('disk-full')
  afterAll(() => bench.destroy())

  fault('no space left where a file goes', () =>
    bench.round(async (s) => {
      // Written before the taken-over file: the deploy fails before it touches that one.
      s.nextRound({ firstFiles: { [BIG]: 'x'.repeat(256 * 1024) } })
      fullDisk.mount(s.host, FULL, '64k')
      try {
        const result = s.cli(['deploy', '-d', s.name, '--json'])
        expect(result.code, result.stdout + result.stderr).toBe(1)
        const error = json<{ failed: { machine: string; error: string }[] }>(result).failed[0]?.error ?? ''
        s.soft(() => expect(error, 'the error names the file').toContain(BIG))
        s.soft(() => expect(error, 'the error says why').toMatch(/no space left on (the )?device/i))
        s.soft(() => expect(s.host.exec(['ls', '-A', FULL]).stdout, 'a temp file was left behind').toBe(''))
        s.expectStateParses()
        s.expectOriginalOrIntended()
      } finally {
        fullDisk.unmount(s.host, FULL)
      }
      s.expectRecovered()
    }),
  )
})
