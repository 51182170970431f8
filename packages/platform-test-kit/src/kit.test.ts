// The kit itself, run on small platforms that misbehave
// (test/fixtures/kit-selftest): whatever fails, the kit destroys the
// machine, removes its temp dirs, and fails fast with the status it saw.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..')
const SELFTEST = path.join(ROOT, 'test/fixtures/kit-selftest')

interface Assertion {
  fullName: string
  title: string
  status: string
  duration: number
  failureMessages: string[]
}

let results: Assertion[] = []
let records = ''

beforeAll(() => {
  records = mkdtempSync(path.join(tmpdir(), 'guix-ops-kit-selftest-'))
  const report = path.join(records, 'report.json')
  const vitest = path.join(ROOT, 'node_modules/vitest/vitest.mjs')
  const run = spawnSync(
    process.execPath,
    [vitest, 'run', '--config', path.join(SELFTEST, 'vitest.config.ts'), '--reporter=json', `--outputFile=${report}`],
    { cwd: ROOT, env: { ...process.env, KIT_RECORD_DIR: records }, encoding: 'utf8', timeout: 240_000 },
  )
  if (!existsSync(report)) throw new Error(`the self-test did not run:\n${run.stdout}\n${run.stderr}`)
  const parsed = JSON.parse(readFileSync(report, 'utf8')) as { testResults: { assertionResults: Assertion[] }[] }
  results = parsed.testResults.flatMap((file) => file.assertionResults)
}, 300_000)

function lifecycle(platform: string): Assertion & { message: string } {
  const result = results.find((r) => r.fullName.startsWith(`platform "${platform}" conformance: lifecycle`))
  if (!result) throw new Error(`no lifecycle result for ${platform}`)
  return { ...result, message: result.failureMessages.join('\n') }
}

function record(platform: string): { dirs: string[]; destroyed: boolean } {
  return JSON.parse(readFileSync(path.join(records, `${platform}.json`), 'utf8'))
}

describe('the platform test kit', () => {
  for (const platform of ['stays-stopped', 'boots-forever', 'not-json', 'no-ssh']) {
    it(`fails "${platform}", destroys its machine and removes its temp dirs`, () => {
      expect(lifecycle(platform).status).toBe('failed')
      const { dirs, destroyed } = record(platform)
      expect(destroyed).toBe(true)
      for (const dir of dirs) expect(existsSync(path.dirname(dir)), dir).toBe(false)
    })
  }

  it('fails at once on a status that cannot lead where it waits, and says which', () => {
    const result = lifecycle('stays-stopped')
    expect(result.duration).toBeLessThan(10_000)
    expect(result.message).toContain('"stopped"')
  })

  it('says which status it saw last when a wait times out', () => {
    const result = lifecycle('boots-forever')
    expect(result.message).toMatch(/still "starting" after [\d.]+ s; expected "up" within 1.5 s/)
  })

  it('reports the failure itself, not what cleaning up met afterwards', () => {
    const { message } = lifecycle('no-ssh')
    expect(message).toMatch(/ECONNREFUSED|connect/i)
    expect(message).toContain('destroy')
  })
})
