// A `check` that runs while a deploy changes the same machine: two real CLI
// runs against a real sshd on 127.0.0.1. The check reads the state and the
// host's generation in force, then (held by the fixture driver) waits while
// a deploy records a newer generation; the check must not then write its
// older view back over the deploy's record.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FIXTURES, guixOps, guixOpsAsync, tempDir } from '../support/cli.js'
import { sshdUnavailable, startSshd, type TestSshd } from '../support/sshd.js'

const unavailable = sshdUnavailable()
if (unavailable) console.warn(`skipping the check-during-deploy test against real sshd: ${unavailable}`)

async function until(what: string, done: () => boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms
  while (!done()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

describe.skipIf(unavailable !== undefined)('check during a deploy', () => {
  let host: TestSshd
  beforeAll(async () => {
    host = await startSshd()
  })
  afterAll(async () => {
    await host?.stop()
  })

  it('a check that read the state before a deploy recorded a newer generation never writes the older one back', {
    timeout: 300_000,
  }, async () => {
    const stateDir = tempDir()
    const work = mkdtempSync(path.join(tmpdir(), 'guix-ops-check-race-'))
    const hold = path.join(work, 'hold-check')
    const config = path.join(work, 'guix-ops.config.ts')
    const writeConfig = (content: string) =>
      writeFileSync(
        config,
        `export default {
  name: 'race',
  plugins: ['${path.join(FIXTURES, 'plugins/generation-system')}'],
  machines: {
    box: {
      platform: { type: 'managed', host: '127.0.0.1', port: ${host.port}, user: '${host.user}', identity: '${host.identity}' },
      system: { type: 'counted', content: '${content}', holdCheck: '${hold}' },
    },
  },
}
`,
      )
    /** The state file as the last command left it. */
    const recorded = (): { id: string; machines: { box: { currentGeneration?: number } } } => {
      const dir = path.join(stateDir, 'deployments')
      return JSON.parse(readFileSync(path.join(dir, readdirSync(dir).find((f) => f.endsWith('.json'))!), 'utf8'))
    }
    writeConfig('v1')
    expect(guixOps(['create', config], { stateDir }).code).toBe(0)
    for (const content of ['v1', 'v2']) {
      writeConfig(content)
      const deployed = guixOps(['deploy', '-d', 'race'], { stateDir })
      expect(deployed.code, deployed.stderr).toBe(0)
    }
    const { id } = recorded()
    const onHost = `/tmp/guix-ops-fixture-generations/${id}/box/current`
    // The host went back to generation 1 by itself (a deploy never confirmed): the state says 2.
    writeFileSync(onHost, '1')

    writeFileSync(hold, '')
    const check = guixOpsAsync(['check', '-d', 'race', '--json'], { stateDir })
    await until('the check to have read the host', () => existsSync(`${hold}.waiting`))
    writeConfig('v3')
    const deploy = guixOps(['deploy', '-d', 'race'], { stateDir })
    expect(deploy.code, deploy.stderr).toBe(0)
    expect(readFileSync(onHost, 'utf8')).toBe('3')
    rmSync(hold)
    const checked = await check
    expect(checked.code === 0 || checked.code === 1, checked.stderr).toBe(true)

    expect(recorded().machines.box.currentGeneration, 'the generation in force in the state after the check').toBe(3)
    expect(checked.stderr).toContain('W_GENERATION_MISMATCH')
  })
})
