// Every malformed config, state file and export under test/fixtures/bad/ gets
// its own specific error and a non-zero exit, and leaves the state dir
// byte-for-byte as it was.
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { FIXTURES, guixOps, json, snapshot, tempDir } from '../support/cli.js'
import { writeFigures } from '../support/figures.js'

const BAD = path.join(FIXTURES, 'bad')
const cases = readdirSync(BAD).filter((name) => existsSync(path.join(BAD, name, 'case.json')))

interface Case {
  args: string[]
  code: string
  message: string
}

/** A lived-in state dir: one healthy deployment, then whatever the case adds. */
function seedStateDir(caseDir: string): string {
  const dir = tempDir()
  mkdirSync(path.join(dir, 'deployments'), { recursive: true })
  mkdirSync(path.join(dir, 'locks'))
  const healthy = {
    kind: 'guix-ops/deployment',
    version: 2,
    id: '0c2f9d4e-8a3b-4c1d-9e7f-123456789abc',
    name: 'healthy',
    configPath: '/srv/healthy/guix-ops.config.ts',
    createdAt: '2026-11-01T00:00:00.000Z',
    updatedAt: '2026-11-01T00:00:00.000Z',
    machines: { web: { platform: 'qemu', system: 'debian' } },
  }
  writeFileSync(path.join(dir, 'deployments', `${healthy.id}.json`), `${JSON.stringify(healthy, null, 2)}\n`)
  const extra = path.join(caseDir, 'state')
  if (existsSync(extra)) cpSync(extra, dir, { recursive: true })
  const fix = (p: string) => {
    for (const name of readdirSync(p, { withFileTypes: true })) {
      const full = path.join(p, name.name)
      if (name.isDirectory()) {
        chmodSync(full, 0o700)
        fix(full)
      } else chmodSync(full, 0o600)
    }
  }
  chmodSync(dir, 0o700)
  fix(dir)
  return dir
}

describe('bad input corpus', () => {
  // For the closing summary: a case is refused cleanly when every assertion on it held.
  const tally = { tried: 0, refused: 0 }
  afterAll(() => {
    if (tally.tried > 0) writeFigures('bad-corpus', { kind: 'bad-inputs', ...tally })
  })

  it('has at least 25 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(25)
  })

  for (const name of cases) {
    it(name, () => {
      tally.tried += 1
      const caseDir = path.join(BAD, name)
      const spec = JSON.parse(readFileSync(path.join(caseDir, 'case.json'), 'utf8')) as Case
      const args = spec.args.map((a) => a.replaceAll('{{CASE}}', caseDir))
      const stateDir = seedStateDir(caseDir)
      const before = snapshot(stateDir)

      const text = guixOps(args, { stateDir, cwd: caseDir })
      expect(text.code, text.stderr).not.toBe(0)
      expect(text.stderr).toContain(spec.code)
      expect(text.stderr).toContain(spec.message)

      const asJson = guixOps([...args, '--json'], { stateDir, cwd: caseDir })
      expect(asJson.code).not.toBe(0)
      const { error } = json<{ error: { code: string; message: string; details?: { message: string }[] } }>(asJson)
      expect(error.code).toBe(spec.code)
      const said = [error.message, ...(error.details ?? []).map((d) => d.message)].join('\n')
      expect(said).toContain(spec.message)

      expect(snapshot(stateDir)).toEqual(before)
      tally.refused += 1
    })
  }
})
