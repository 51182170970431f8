import { cpSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { bundleConfig } from '../bundle.js'
import { importGuixDeploy } from './import.js'

const DEPLOY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../test/fixtures/guix/deploy')

describe('an imported machine, as the guix driver then deploys it', () => {
  it('its generated .scm brings the deploy file and what that loads into the upload', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'guix-ops-import-'))
    cpSync(DEPLOY, dir, { recursive: true })
    const result = await importGuixDeploy({ file: path.join(dir, 'mixed-arch.scm') })
    const pi = result.machines.find((m) => m.name === 'pi')!
    const bundle = await bundleConfig(path.resolve(dir, pi.config))
    expect(bundle.files.map((f) => f.path).sort()).toEqual(['lab-os.scm', 'mixed-arch-pi.scm', 'mixed-arch.scm'])
  })
})
