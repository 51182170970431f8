// The ec2 platform comes with the CLI by the same road as qemu (a bundled
// oclif plugin found by its manifest), and the AWS SDK is not loaded until
// an ec2 machine is worked on.
import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { guixOps, json, ROOT, tempDir } from '../support/cli.js'

describe('the bundled ec2 platform', () => {
  it('is listed as bundled, from outside any project', () => {
    const rows = json<{ name: string; package: string; source: string; capabilities: string[] }[]>(
      guixOps(['platforms', '--json'], { stateDir: tempDir(), cwd: tempDir('guix-ops-elsewhere-') }),
    )
    expect(rows.find((r) => r.name === 'ec2')).toMatchObject({ package: '@guix-ops/plugin-ec2', source: 'bundled' })
  })

  it('does not load the AWS SDK when the plugin is loaded, only when it talks to EC2', () => {
    const probe = `
      const { createRequire } = await import('node:module')
      const require = createRequire(process.cwd() + '/')
      const loaded = () => Object.keys(require.cache).some((k) => k.includes('@aws-sdk/client-ec2'))
      const ec2 = (await import('@guix-ops/plugin-ec2')).default
      const before = loaded()
      await ec2.options['~standard'].validate({ region: 'eu-west-1' })
      console.log(JSON.stringify({ name: ec2.name, before, afterValidate: loaded() }))`
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', probe], { cwd: ROOT, encoding: 'utf8' })
    expect(JSON.parse(result.stdout || result.stderr)).toEqual({ name: 'ec2', before: false, afterValidate: false })
  })
})
