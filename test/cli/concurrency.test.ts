// Two commands on one deployment at once: one wins, the other is told who holds the lock.
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { guixOps, guixOpsAsync, ROOT, tempDir } from '../support/cli.js'

const QUICKSTART = path.join(ROOT, 'examples/quickstart/guix-ops.config.ts')

/** The quick start, but its config takes a while to evaluate, so the winner holds the lock meanwhile. */
function slowConfig(ms: number): string {
  const file = path.join(tempDir(), 'guix-ops.config.ts')
  const sleep = `Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ${ms})\n`
  writeFileSync(file, readFileSync(QUICKSTART, 'utf8').replace('export default', `${sleep}export default`))
  return file
}

describe('one writer at a time', () => {
  it('two modify at once: one wins, the other fails at once with the lock error', async () => {
    const stateDir = tempDir()
    expect(guixOps(['create', QUICKSTART], { stateDir }).code).toBe(0)
    const config = slowConfig(1500)
    const results = await Promise.all([
      guixOpsAsync(['modify', '-d', 'quickstart', '--config', config], { stateDir }),
      guixOpsAsync(['modify', '-d', 'quickstart', '--config', config], { stateDir }),
    ])
    const codes = results.map((r) => r.code).sort()
    expect(codes).toEqual([0, 1])
    const loser = results.find((r) => r.code === 1)!
    expect(loser.stderr).toContain('E_STATE_LOCKED')
    expect(loser.stderr).toMatch(/locked by pid \d+ on host \S+ \(guix-ops modify/)
  })

  it('two deploys at once: the second is refused at once, naming the first', async () => {
    const stateDir = tempDir()
    const config = slowConfig(1500)
    expect(guixOps(['create', config], { stateDir }).code).toBe(0)
    const results = await Promise.all([
      guixOpsAsync(['deploy', '-d', 'quickstart', '--dry-run'], { stateDir }),
      guixOpsAsync(['deploy', '-d', 'quickstart', '--dry-run'], { stateDir }),
    ])
    const refused = results.filter((r) => r.stderr.includes('E_STATE_LOCKED'))
    expect(refused).toHaveLength(1)
    expect(refused[0]!.stderr).toMatch(/locked by pid \d+ on host \S+ \(guix-ops deploy/)
    expect(results.filter((r) => r.code === 0)).toHaveLength(1)
  })

  it('two create -d of the same name at once: one wins, the other fails with the lock error', async () => {
    const stateDir = tempDir()
    const config = slowConfig(1500)
    const results = await Promise.all([
      guixOpsAsync(['create', config, '-d', 'quickstart'], { stateDir }),
      guixOpsAsync(['create', config, '-d', 'quickstart'], { stateDir }),
    ])
    expect(results.map((r) => r.code).sort()).toEqual([0, 1])
    expect(results.find((r) => r.code === 1)!.stderr).toContain('E_STATE_LOCKED')
    const list = JSON.parse(guixOps(['list', '--json'], { stateDir }).stdout)
    expect(list).toHaveLength(1)
  })
})
