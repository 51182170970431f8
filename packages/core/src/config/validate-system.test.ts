import { GuixOpsError, type ValidationContext } from '@guix-ops/plugin-api'
import { describe, expect, it } from 'vitest'
import { caught } from '../../../../test/support/errors.js'
import { placeholderText } from '../graph/index.js'
import { validateSystem } from './validate-system.js'

const at = { deployment: 'shop', machine: 'web', configDir: '/srv/shop' }

describe("a system driver's validate", () => {
  it('is optional: a driver without it passes', async () => {
    expect(await validateSystem({ name: 'plain' }, {}, at)).toBeUndefined()
  })

  it('gets the config dir and can tell values still waiting on other machines', async () => {
    let seen: ValidationContext | undefined
    const summary = await validateSystem(
      {
        name: 'os',
        validate: async (ctx) => {
          seen = ctx
          return { summary: 'built here' }
        },
      },
      {},
      at,
    )
    expect(summary).toEqual({ summary: 'built here' })
    expect(seen?.configDir).toBe('/srv/shop')
    expect(seen?.isPending(`db at ${placeholderText('db.address')}`)).toBe(true)
    expect(seen?.isPending('10.0.0.2')).toBe(false)
  })

  it("keeps the driver's code and file:line:col, and names the machine", async () => {
    const error = await caught(
      validateSystem(
        {
          name: 'os',
          validate: async () => {
            throw new GuixOpsError('E_OS_SYNTAX', '/srv/shop/web.conf:3:1: no', {
              where: { file: '/srv/shop/web.conf' },
            })
          },
        },
        {},
        at,
      ),
    )
    expect([error.code, error.message]).toEqual(['E_OS_SYNTAX', '/srv/shop/web.conf:3:1: no'])
    expect(error.where).toEqual({ file: '/srv/shop/web.conf', machine: 'web', deployment: 'shop' })
  })

  it('a plain exception becomes E_SYSTEM_VALIDATE naming the plugin and machine', async () => {
    const error = await caught(
      validateSystem(
        {
          name: 'os',
          validate: async () => {
            throw new Error('disk on fire')
          },
        },
        {},
        at,
      ),
    )
    expect(error.code).toBe('E_SYSTEM_VALIDATE')
    expect(error.message).toBe('os: checking machine "web" failed: disk on fire')
  })
})
