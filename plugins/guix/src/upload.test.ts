import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { caught } from '../../../test/support/errors.js'
import { reconfigure, safetyRepl } from './commands.js'
import { layoutFor } from './layout.js'
import type { GuixOptions } from './options.js'
import { prepareUpload } from './upload.js'

const GOOD = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test/fixtures/guix/good')

function project(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'guix-ops-upload-'))
  cpSync(GOOD, path.join(dir, 'site'), { recursive: true })
  mkdirSync(path.join(dir, 'modules/shop'), { recursive: true })
  writeFileSync(path.join(dir, 'modules/shop/services.scm'), '(define-module (shop services))\n')
  writeFileSync(path.join(dir, 'channels.scm'), '(list (channel (inherit (car %default-channels)) (commit "abc")))\n')
  return dir
}

const options = (extra: Partial<GuixOptions> = {}): GuixOptions => ({
  config: './site/web.scm',
  buildLocally: false,
  authorize: true,
  loadPath: ['./modules'],
  allowDowngrades: false,
  safetyChecks: true,
  parameters: { 'db-address': '10.0.0.2' },
  confirmTimeout: 90,
  channels: './channels.scm',
  ...extra,
})

describe('what a deploy uploads', () => {
  it('the config with what it loads, the parameters module, the load path and the channels', async () => {
    const upload = await prepareUpload(options(), project())
    expect(upload.config).toBe('config/web.scm')
    expect(upload.files.map((f) => f.path).sort()).toEqual([
      'channels.scm',
      'config/common.scm',
      'config/nginx.conf',
      'config/web.scm',
      'load-path/0/shop/services.scm',
      'modules/guix-ops/keys.scm',
      'modules/guix-ops/parameters.scm',
    ])
    expect(upload.loadPathDirs).toEqual(['modules', 'load-path/0'])
  })

  it('its hash changes with a loaded file, a parameter or an option, and only then', async () => {
    const dir = project()
    const first = (await prepareUpload(options(), dir)).hash
    expect((await prepareUpload(options(), dir)).hash).toBe(first)
    expect((await prepareUpload(options({ parameters: { 'db-address': '10.0.0.3' } }), dir)).hash).not.toBe(first)
    expect((await prepareUpload(options({ allowDowngrades: true }), dir)).hash).not.toBe(first)
    writeFileSync(path.join(dir, 'site/nginx.conf'), 'events {}\n')
    expect((await prepareUpload(options(), dir)).hash).not.toBe(first)
  })

  it('a module with a syntax error in the load path stops it', async () => {
    const dir = project()
    writeFileSync(path.join(dir, 'modules/shop/broken.scm'), '(define-module (shop broken)\n')
    const error = await caught(prepareUpload(options(), dir))
    expect(error.code).toBe('E_GUIX_SYNTAX')
    expect(error.message).toMatch(/modules\/shop\/broken\.scm:1:1: /)
  })

  it('a load path directory that does not exist', async () => {
    const error = await caught(prepareUpload(options({ loadPath: ['./nowhere'] }), project()))
    expect(error.code).toBe('E_GUIX_CONFIG')
  })
})

describe('the commands run on the host', () => {
  const layout = layoutFor({ deployment: { id: 'd1', name: 'shop' }, machine: 'web' })
  const dir = '/var/lib/guix-ops/guix/d1/web'

  it('reconfigure through time-machine with every flag', () => {
    expect(
      reconfigure(layout, options({ system: 'aarch64-linux', allowDowngrades: true }), `${dir}/config/web.scm`),
    ).toEqual([
      'guix',
      'time-machine',
      '-C',
      `${dir}/channels.scm`,
      '--',
      'system',
      'reconfigure',
      '-L',
      `${dir}/modules`,
      '-L',
      `${dir}/load-path/0`,
      '--system=aarch64-linux',
      '--allow-downgrades',
      `${dir}/config/web.scm`,
    ])
  })

  it('the safety check through guix repl', () => {
    expect(safetyRepl(layout, options({ channels: undefined, loadPath: [] }), `${dir}/config/web.scm`)).toEqual([
      'guix',
      'repl',
      '-L',
      `${dir}/modules`,
      '--',
      `${dir}/safety-check.scm`,
      `${dir}/config/web.scm`,
    ])
  })
})
