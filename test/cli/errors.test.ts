// How errors reach the user: code, message, hint, exit status; JSON with --json.
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { guixOps, json, ROOT, tempDir } from '../support/cli.js'
import { fakeFleet } from '../support/fake-cloud.js'

describe('errors', () => {
  it('prints code, message and hint, and exits non-zero', () => {
    const result = guixOps(['info', '-d', 'nope'], { stateDir: tempDir() })
    expect(result.code).toBe(1)
    expect(result.stdout).toBe('')
    expect(result.stderr).toMatch(/^error E_DEPLOYMENT_NOT_FOUND: no deployment named or with id "nope"/)
    expect(result.stderr).toContain('hint: there are no deployments yet')
  })

  it('with --json, errors are JSON on stdout', () => {
    const result = guixOps(['info', '-d', 'nope', '--json'], { stateDir: tempDir() })
    expect(result.code).toBe(1)
    const body = json<{ error: { code: string; message: string; suggestion: string } }>(result)
    expect(body.error.code).toBe('E_DEPLOYMENT_NOT_FOUND')
    expect(body.error.suggestion).toBeTruthy()
  })

  it('a missing -d says how to give one', () => {
    const result = guixOps(['info', '--json'], { stateDir: tempDir() })
    expect(json<{ error: { code: string } }>(result).error.code).toBe('E_DEPLOYMENT_REQUIRED')
  })

  it('usage errors are E_USAGE with exit status 2', () => {
    const result = guixOps(['list', '--frobnicate'], { stateDir: tempDir() })
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('E_USAGE')
    const asJson = guixOps(['export', '-d', 'x', '--format', 'xml', '--json'], { stateDir: tempDir() })
    expect(json<{ error: { code: string } }>(asJson).error.code).toBe('E_USAGE')
  })

  it('an unknown command is a usage error too, in JSON with --json', () => {
    const result = guixOps(['deploi'], { stateDir: tempDir() })
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('error E_USAGE: command deploi not found')
    const asJson = guixOps(['deploi', '--json'], { stateDir: tempDir() })
    expect(json<{ error: { code: string } }>(asJson).error.code).toBe('E_USAGE')
  })

  it("a plugin's code and hint are shown as --json gives them when a machine fails to deploy", () => {
    const fleet = fakeFleet('solo', { db: {} })
    const human = guixOps(['deploy', '-d', 'solo'], { stateDir: fleet.stateDir })
    expect(human.code).toBe(1)
    const asJson = guixOps(['deploy', '-d', 'solo', '--json'], { stateDir: fleet.stateDir })
    const [failed] = json<{ outcomes: { error: { code: string; message: string; suggestion: string } }[] }>(
      asJson,
    ).outcomes
    expect(failed?.error.code).toBe('E_FAKE_CLOUD')
    expect(human.stderr).toContain(`error E_FAKE_CLOUD: ${failed?.error.message}`)
    expect(human.stderr).toContain(`hint: ${failed?.error.suggestion}`)
    expect(failed?.error.suggestion).toBe('record the machine in the state, as the tests do')
  })

  it("a bundled plugin's command fails with the plugin's own code and hint, on the terminal and in JSON", () => {
    const stateDir = tempDir()
    const human = guixOps(['image', 'rm', 'no-such-image'], { stateDir })
    expect(human.code).toBe(1)
    expect(human.stderr).toContain('error E_QEMU_IMAGE_UNKNOWN: no image named no-such-image in the cache')
    expect(human.stderr).toContain('hint: see guix-ops image list')
    const asJson = json<{ error: { code: string } }>(guixOps(['image', 'rm', 'no-such-image', '--json'], { stateDir }))
    expect(asJson.error.code).toBe('E_QEMU_IMAGE_UNKNOWN')
  })

  it('--version answers in oclif form without loading the commands', () => {
    const result = guixOps(['--version'], { stateDir: tempDir() })
    expect(result.stdout).toMatch(/^@guix-ops\/cli\/\d+\.\d+\.\d+ linux-\w+ node-v\d+/)
  })

  it('all config errors are shown together', () => {
    const config = path.join(ROOT, 'test/fixtures/bad/config-many-errors/guix-ops.config.ts')
    const result = json<{ error: { code: string; details: { message: string }[] } }>(
      guixOps(['create', config, '--json'], { stateDir: tempDir() }),
    )
    expect(result.error.code).toBe('E_CONFIG_INVALID')
    expect(result.error.details.length).toBeGreaterThanOrEqual(3)
  })

  it('every command answers --help and --json is listed', () => {
    for (const command of ['create', 'list', 'info', 'modify', 'delete', 'export', 'import', 'unlock']) {
      const help = guixOps([command, '--help'], { stateDir: tempDir() })
      expect(help.code, command).toBe(0)
      expect(help.stdout, command).toContain('--json')
    }
  })
})
