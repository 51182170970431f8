// A deploy over SSH loads ssh2's client once, from the one file the engine's
// build bundles it into (packages/core/bundle/ssh2-client.cjs), and none of
// ssh2's own modules one by one; its native helpers (the binding npm built
// for ssh2, cpu-features) still load from where npm put them. Real sshd on
// 127.0.0.1, the fixture system that writes one file.
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { FIXTURES, guixOps, ROOT, tempDir } from '../support/cli.js'
import { sshdUnavailable, startSshd, type TestSshd } from '../support/sshd.js'

const unavailable = sshdUnavailable()
if (unavailable) console.warn(`skipping the ssh2 bundle test against real sshd: ${unavailable}`)

/** Every file Node's module hooks see loaded (require of a .node file too), written on exit. */
const COUNTER = `
import { registerHooks } from 'node:module'
import { writeFileSync } from 'node:fs'
const files = []
registerHooks({ load(url, context, next) { if (url.startsWith('file:')) files.push(url); return next(url, context) } })
process.on('exit', () => writeFileSync(process.env.LOADED_FILES, JSON.stringify(files)))
`

describe.skipIf(unavailable !== undefined)("ssh2's client", () => {
  vi.setConfig({ testTimeout: 120_000 })
  let sshd: TestSshd | undefined
  afterAll(async () => {
    await sshd?.stop()
  })

  it('is loaded once, from its bundled file, by a deploy that logs in', async () => {
    sshd = await startSshd()
    const dir = tempDir()
    const config = path.join(dir, 'guix-ops.config.ts')
    const host = `{ type: 'managed', host: '127.0.0.1', port: ${sshd.port}, user: '${sshd.user}', identity: '${sshd.identity}' }`
    writeFileSync(
      config,
      `import { defineDeployment } from '@guix-ops/plugin-api'
export default defineDeployment({
  name: 'one',
  plugins: ['${path.join(FIXTURES, 'plugins/marker-system')}'],
  machines: { box: { platform: ${host}, system: { type: 'marker', path: '${dir}/box.conf', content: 'box\\n' } } },
})
`,
    )
    const counter = path.join(dir, 'counter.mjs')
    writeFileSync(counter, COUNTER)
    const out = path.join(dir, 'loaded.json')
    const stateDir = tempDir()
    expect(guixOps(['create', config], { stateDir }).code).toBe(0)
    const env = { NODE_OPTIONS: `--import=${counter}`, LOADED_FILES: out }
    const deployed = guixOps(['deploy', '-d', 'one'], { stateDir, env })
    expect(deployed.code, deployed.stderr).toBe(0)
    expect(readFileSync(path.join(dir, 'box.conf'), 'utf8')).toBe('box\n')
    const loaded = JSON.parse(readFileSync(out, 'utf8')) as string[]
    expect(loaded.filter((f) => /\/packages\/core\/bundle\/ssh2-client\.cjs$/.test(f))).toHaveLength(1)
    expect(loaded.filter((f) => /\/node_modules\/ssh2\/lib\/.*\.js$/.test(f))).toEqual([])
  })
})

// Built against another Node's headers (npm's nodedir pointing at an older
// Node), the binding fails to load and ssh2 quietly falls back to creating a
// cipher per packet. scripts/lib.sh builds it against this Node's own.
describe("ssh2's native crypto binding", () => {
  const fromCore = createRequire(path.join(ROOT, 'packages/core/package.json'))
  const binding = path.join(
    path.dirname(fromCore.resolve('ssh2/package.json')),
    'lib/protocol/crypto/build/Release/sshcrypto.node',
  )

  it.skipIf(!existsSync(binding))('loads in the Node that runs guix-ops, when npm built it', () => {
    const loaded = spawnSync(process.execPath, ['-e', 'require(process.argv[1])', binding], { encoding: 'utf8' })
    expect(loaded.status, loaded.stderr).toBe(0)
  })
})
