// The built-in plugins a deploy loads by their manifest's entry (debian,
// ec2, guix) and the plugin API they share with the host come as one file
// each (scripts/bundle-package.mjs): loaded as the registry loads them, by
// the path in the package's "guix-ops" field, none of their built modules
// loads one by one. lxc and qemu stay as built: they start helper scripts
// that lie beside their modules.
import { spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import { ROOT, tempDir } from '../support/cli.js'

/** Every file Node's module hooks see loaded, written on exit. */
const COUNTER = `
import { registerHooks } from 'node:module'
import { writeFileSync } from 'node:fs'
const files = new Set()
registerHooks({ load(url, context, next) { if (url.startsWith('file:')) files.add(url); return next(url, context) } })
process.on('exit', () => writeFileSync(process.env.LOADED_FILES, JSON.stringify([...files])))
`

const bundled = [
  { dir: 'plugins/debian', kind: 'systems', name: 'debian' },
  { dir: 'plugins/ec2', kind: 'platforms', name: 'ec2' },
  { dir: 'plugins/guix', kind: 'systems', name: 'guix' },
]

describe('built-in plugins as loaded by a deploy', () => {
  it.each(bundled)('$name loads from one file, with the plugin API from one file', ({ dir, kind, name }) => {
    const manifest = JSON.parse(readFileSync(path.join(ROOT, dir, 'package.json'), 'utf8'))['guix-ops']
    const entry = pathToFileURL(path.join(ROOT, dir, manifest[kind][name])).href
    const work = tempDir()
    const counter = path.join(work, 'counter.mjs')
    writeFileSync(counter, COUNTER)
    const out = path.join(work, 'loaded.json')
    const script = `const m = await import(${JSON.stringify(entry)}); console.log(m.default.name)`
    const loaded = spawnSync(process.execPath, ['--import', counter, '--input-type=module', '-e', script], {
      encoding: 'utf8',
      env: { ...process.env, LOADED_FILES: out },
    })
    expect(loaded.status, loaded.stderr).toBe(0)
    expect(loaded.stdout.trim()).toBe(name)
    const files = (JSON.parse(readFileSync(out, 'utf8')) as string[]).map((url) =>
      path.relative(ROOT, new URL(url).pathname),
    )
    expect(files.filter((f) => f.startsWith(`${dir}/`))).toEqual([`${dir}/bundle/index.js`])
    expect(files.filter((f) => f.startsWith('packages/plugin-api/'))).toEqual(['packages/plugin-api/bundle/index.js'])
  })
})
