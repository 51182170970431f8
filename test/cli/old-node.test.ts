// A user whose Node.js is too old (Debian 12 ships 18, many hosts have 20)
// runs `guix-ops` and must be told which version it needs, not shown a
// SyntaxError from inside the CLI. Run with an older node found on the
// machine; skipped, saying so, where there is none.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { BIN } from '../support/cli.js'

const OLDER_THAN_NEEDED = ['/usr/bin/node', '/usr/local/bin/node', '/bin/node'].find((node) => {
  if (!existsSync(node)) return false
  const version = spawnSync(node, ['-p', 'process.versions.node'], { encoding: 'utf8' }).stdout.trim()
  const [major = 0, minor = 0] = version.split('.').map(Number)
  return version !== '' && (major < 22 || (major === 22 && minor < 18))
})

if (!OLDER_THAN_NEEDED) console.warn('skipping the too-old Node.js test: no node older than 22.18 on this machine')

describe.skipIf(!OLDER_THAN_NEEDED)('guix-ops on a Node.js older than it needs', () => {
  it.each([['--version'], ['list'], ['deploy', '-d', 'shop']])('%s says which Node.js it needs', (...args) => {
    const run = spawnSync(OLDER_THAN_NEEDED!, [BIN, ...args], { encoding: 'utf8' })
    expect(run.status).toBe(1)
    expect(run.stderr).toMatch(/^guix-ops needs Node\.js >= 22\.18; this is v\d+\.\d+\.\d+\n$/)
    expect(run.stdout).toBe('')
  })
})
