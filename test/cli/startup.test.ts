// Start-up: what a short command loads before it answers. Loading modules is
// most of the time `guix-ops --help` and `list` take (see bench/startup.mjs,
// which times it); counting the files is the same measure without the noise
// of a busy machine. oclif and the CLI are bundled into a few files, and the
// engine's heavy dependencies load only in the commands that use them.
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { beforeEach, describe, expect, it } from 'vitest'
import { guixOps, tempDir } from '../support/cli.js'

/** Node's module hooks see every file loaded, ES module or CommonJS; the list is written on exit. */
const COUNTER = `
import { registerHooks } from 'node:module'
import { readFileSync, writeFileSync } from 'node:fs'
const files = new Set()
registerHooks({ load(url, context, next) { if (url.startsWith('file:')) files.add(url); return next(url, context) } })
process.on('exit', () => writeFileSync(process.env.LOADED_FILES, JSON.stringify([...files])))
`

describe('start-up', () => {
  let stateDir: string
  let counter: string
  beforeEach(() => {
    stateDir = tempDir()
    counter = path.join(tempDir('guix-ops-startup-'), 'counter.mjs')
    writeFileSync(counter, COUNTER)
  })

  function loadedFiles(args: string[]): string[] {
    const out = path.join(path.dirname(counter), 'loaded.json')
    const result = guixOps(args, { stateDir, env: { NODE_OPTIONS: `--import=${counter}`, LOADED_FILES: out } })
    expect(result.code, result.stderr).toBe(0)
    return JSON.parse(readFileSync(out, 'utf8')) as string[]
  }

  it('--help loads a few files, not oclif module by module', () => {
    const files = loadedFiles(['--help'])
    expect(files.length, files.join('\n')).toBeLessThanOrEqual(15)
  })

  it('list loads a few files, and none of the engine dependencies it does not use', () => {
    const files = loadedFiles(['list'])
    expect(files.length, files.join('\n')).toBeLessThanOrEqual(30)
    expect(files.filter((f) => /\/node_modules\/(zod|ssh2|cosmiconfig|jiti|execa)\//.test(f))).toEqual([])
  })
})
