// The launch token (the ClientToken saved before RunInstances) against the
// loopback endpoint: a token file cut short or emptied by a crash must never
// make a retried deploy launch a second instance.
import { readdir, stat, writeFile } from 'node:fs/promises'
import ec2 from '@guix-ops/plugin-ec2'
import { describe, expect, it } from 'vitest'
import { ec2InProcess, ec2TestOptions } from '../../support/ec2/in-process.js'
import { ec2ModelUnavailable } from '../../support/ec2/index.js'
import { sshdUnavailable } from '../../support/sshd.js'

const unavailable = ec2ModelUnavailable() ?? sshdUnavailable()
if (unavailable) console.warn(`skipping the ec2 launch token tests: ${unavailable}`)

describe.skipIf(unavailable !== undefined)('ec2 launch token', () => {
  const at = ec2InProcess()

  it('is written whole, 0600, with no temp file left beside it', async () => {
    const ctx = at.context('web')
    const { resource } = await ec2.provision(ctx, { name: 'web', options: await ec2TestOptions() })
    expect(await readdir(ctx.stateDir)).toEqual(['client-token'])
    expect((await stat(`${ctx.stateDir}/client-token`)).mode & 0o777).toBe(0o600)
    expect(resource.clientToken).toMatch(/^guix-ops-[0-9a-f-]{36}$/)
  })

  for (const [what, text] of [
    ['cut short', 'guix-ops-1b4e28ba-2fa1-11d2'],
    ['empty', ''],
  ] as const) {
    it(`${what}, with no instance to be found: a clear error, and nothing launched`, async () => {
      const ctx = at.context('web')
      await writeFile(`${ctx.stateDir}/client-token`, text, { mode: 0o600 })
      const before = at.endpoint.world.calls.length
      const error = await ec2.provision(ctx, { name: 'web', options: await ec2TestOptions() }).catch((e) => e)
      expect(error).toMatchObject({ code: 'E_EC2_TOKEN', where: { machine: 'web', plugin: 'ec2' } })
      expect(error.message).toContain(`${ctx.stateDir}/client-token`)
      expect(at.endpoint.world.calls.slice(before)).not.toContain('RunInstances')
      expect(at.live()).toHaveLength(0)
    })
  }

  it('cut short after its launch: the instance is found by its tags, never a second one', async () => {
    const ctx = at.context('web')
    const first = await ec2.provision(ctx, { name: 'web', options: await ec2TestOptions() })
    await writeFile(`${ctx.stateDir}/client-token`, first.resource.clientToken.slice(0, 20))
    const again = await ec2.provision(ctx, { name: 'web', options: await ec2TestOptions() })
    expect(again.resource.instanceId).toBe(first.resource.instanceId)
    expect(at.live()).toHaveLength(1)
  })
})
