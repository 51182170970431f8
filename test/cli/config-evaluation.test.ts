// A config whose code never finishes, or ends the process, makes the
// command fail within --config-timeout with an error naming the file, and
// leaves no lock behind: the next command on the deployment is not blocked.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { guixOps, json, type RunResult, tempDir } from '../support/cli.js'

const GOOD = `import { defineDeployment } from '@guix-ops/plugin-api'
export default defineDeployment({ name: 'shop', machines: { db: { platform: { type: 'qemu' }, system: { type: 'debian' } } } })
`

const BAD: Record<string, { source: string; code: string; message: string }> = {
  'an endless loop': {
    source: 'for (;;) {}\n',
    code: 'E_CONFIG_TIMEOUT',
    message: 'did not finish evaluating within 2 s',
  },
  'a promise that never settles': {
    source: 'export default new Promise(() => {})\n',
    code: 'E_CONFIG_TIMEOUT',
    message: 'did not finish evaluating within 2 s',
  },
  'process.exit()': {
    source: 'process.exit(0)\n',
    code: 'E_CONFIG_LOAD',
    message: 'it called process.exit(0) while being evaluated',
  },
}

/** A created deployment whose config is then replaced by `source`. */
function deploymentWithConfig(source: string): { stateDir: string; config: string } {
  const stateDir = tempDir()
  const config = path.join(tempDir(), 'guix-ops.config.ts')
  writeFileSync(config, GOOD)
  const created = guixOps(['create', config], { stateDir })
  expect(created.code, created.stderr).toBe(0)
  writeFileSync(config, source)
  return { stateDir, config }
}

function timed(run: () => RunResult): RunResult & { seconds: number } {
  const started = Date.now()
  const result = run()
  return { ...result, seconds: (Date.now() - started) / 1000 }
}

describe('config evaluation is bounded', () => {
  for (const [what, bad] of Object.entries(BAD)) {
    for (const command of [
      ['deploy', '-d', 'shop'],
      ['modify', '-d', 'shop'],
      ['check', '-d', 'shop'],
    ]) {
      it(`${command[0]} fails on ${what} and leaves no lock`, () => {
        const { stateDir, config } = deploymentWithConfig(bad.source)
        const stateBefore = readdirSync(path.join(stateDir, 'deployments')).map((f) =>
          readFileSync(path.join(stateDir, 'deployments', f), 'utf8'),
        )
        const env = { GUIX_OPS_CONFIG_TIMEOUT: '2' }
        const result = timed(() => guixOps(command, { stateDir, env, timeoutMs: 60_000 }))
        expect(result.code, result.stderr).not.toBe(0)
        expect(result.stderr).toContain(bad.code)
        expect(result.stderr).toContain(config)
        expect(result.stderr).toContain(bad.message)
        expect(result.seconds).toBeLessThan(20)
        expect(readdirSync(path.join(stateDir, 'locks'))).toEqual([])
        const stateAfter = readdirSync(path.join(stateDir, 'deployments')).map((f) =>
          readFileSync(path.join(stateDir, 'deployments', f), 'utf8'),
        )
        expect(stateAfter).toEqual(stateBefore)
      })
    }
  }

  it('says so as JSON with --json, even when the config loops', () => {
    const { stateDir, config } = deploymentWithConfig(BAD['an endless loop']!.source)
    const result = guixOps(['deploy', '-d', 'shop', '--config-timeout', '1', '--json'], { stateDir, timeoutMs: 60_000 })
    expect(result.code).not.toBe(0)
    const { error } = json<{ error: { code: string; where: { file: string } } }>(result)
    expect(error).toMatchObject({ code: 'E_CONFIG_TIMEOUT', where: { file: config } })
  })

  it('allows 30 s by default, on the commands that evaluate a config and only there', () => {
    const stateDir = tempDir()
    const deploy = guixOps(['deploy', '--help'], { stateDir })
    expect(deploy.stdout).toMatch(/--config-timeout=SECONDS\s+\[default: 30\b/)
    expect(guixOps(['list', '--help'], { stateDir }).stdout).not.toContain('--config-timeout')
  })
})
