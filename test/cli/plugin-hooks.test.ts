// Lifecycle hooks from a linked plugin package: a deploy calls its taps in
// pipeline order, for each machine, then once for the whole deployment.
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FIXTURES, guixOps, tempDir } from '../support/cli.js'
import { sshdUnavailable, startSshd, type TestSshd } from '../support/sshd.js'

const unavailable = sshdUnavailable()
if (unavailable) console.warn(`skipping the plugin hooks test against real sshd: ${unavailable}`)

describe.skipIf(unavailable !== undefined)('lifecycle hooks from a plugin package', () => {
  let host: TestSshd
  beforeAll(async () => {
    host = await startSshd()
  })
  afterAll(async () => {
    await host?.stop()
  })

  it('runs every hook of the linked plugin in pipeline order', () => {
    const stateDir = tempDir()
    const out = tempDir('guix-ops-hooks-')
    const log = path.join(out, 'hooks.log')
    const config = path.join(out, 'guix-ops.config.json')
    writeFileSync(
      config,
      JSON.stringify({
        name: 'hooked',
        plugins: [path.join(FIXTURES, 'plugins/marker-system')],
        machines: {
          box: {
            platform: { type: 'managed', host: '127.0.0.1', port: host.port, user: host.user, identity: host.identity },
            system: { type: 'marker', path: path.join(out, 'box.conf'), content: 'v1\n' },
          },
        },
      }),
    )
    const run = (args: string[]) => guixOps(args, { stateDir, env: { HOOK_ORDER_LOG: log } })
    expect(run(['plugins', 'link', path.join(FIXTURES, 'plugins/hook-order')]).code).toBe(0)
    expect(run(['create', config]).code).toBe(0)
    const deployed = run(['deploy', '-d', 'hooked'])
    expect(deployed.code, deployed.stderr).toBe(0)
    expect(readFileSync(log, 'utf8').trim().split('\n')).toEqual([
      'resolveMachine box',
      'beforeProvision box',
      'afterProvision box',
      'beforeConnect box',
      'afterConnect box',
      'afterPlan box',
      'beforeActivate box',
      'afterActivate box',
      'deploymentFinished hooked',
    ])
  })
})
