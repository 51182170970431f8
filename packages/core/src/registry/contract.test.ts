import { describe, expect, it } from 'vitest'
import { checkPlatform, checkSystem } from './contract.js'
import type { PluginEntry } from './types.js'

const entry = (kind: PluginEntry['kind'], name = 'acme'): PluginEntry => ({
  kind,
  name,
  packageName: 'acme-pkg',
  version: '1.0.0',
  packageDir: '/pkgs/acme',
  modulePath: '/pkgs/acme/dist/index.js',
  source: 'user',
  apiVersion: 1,
})
const schema = { '~standard': { version: 1, vendor: 'test', validate: (value: unknown) => ({ value }) } }
const fn = () => undefined
const platform = { name: 'acme', apiVersion: 1, options: schema, capabilities: {}, provision: fn, status: fn, ssh: fn }
const system = {
  name: 'acme',
  apiVersion: 1,
  options: schema,
  plan: fn,
  apply: fn,
  check: fn,
  generations: fn,
  rollback: fn,
}

const problems = (check: () => unknown) => {
  try {
    check()
  } catch (error) {
    const { code, message, where } = error as { code: string; message: string; where: unknown }
    return { code, message, where }
  }
  throw new Error('no contract error')
}
const platformSays = (value: unknown) => problems(() => checkPlatform(entry('platform'), value)).message
const prefix = (kind: string) => `${kind} "acme" from acme-pkg does not satisfy the plugin contract: `

describe('the plugin contract', () => {
  it('accepts complete definitions as they are', () => {
    expect(checkPlatform(entry('platform'), platform)).toBe(platform)
    expect(checkSystem(entry('system'), system)).toBe(system)
  })

  it('names the module and every problem at once, in the words it always used', () => {
    expect(problems(() => checkPlatform(entry('platform'), { ...platform, name: 'other', ssh: undefined }))).toEqual({
      code: 'E_PLUGIN_CONTRACT',
      message: `${prefix('platform')}its name is "other" but package.json declares "acme"; method "ssh" is missing`,
      where: { plugin: 'acme-pkg', file: '/pkgs/acme/dist/index.js' },
    })
    expect(platformSays({ apiVersion: 2, options: {}, capabilities: { stop: true, start: false } })).toBe(
      `${prefix('platform')}its name is undefined but package.json declares "acme"; apiVersion is 2, expected 1; ` +
        '"options" is not a Standard Schema (zod, valibot, arktype...); method "provision" is missing; ' +
        'method "status" is missing; method "ssh" is missing; capability "stop" is claimed but method "stop" is missing',
    )
    expect(platformSays({ ...platform, capabilities: null })).toBe(`${prefix('platform')}"capabilities" is missing`)
    expect(platformSays({ ...platform, options: undefined, capabilities: undefined })).toBe(
      `${prefix('platform')}"options" is not a Standard Schema (zod, valibot, arktype...); "capabilities" is missing`,
    )
    expect(problems(() => checkSystem(entry('system'), { ...system, rollback: 'no' })).message).toBe(
      `${prefix('system')}method "rollback" is missing`,
    )
  })

  it('says what the default export was when it is no definition at all', () => {
    expect(platformSays(undefined)).toBe(
      `${prefix('platform')}its module's default export is undefined, expected definePlatform({...})`,
    )
    expect(problems(() => checkSystem(entry('system'), null)).message).toBe(
      `${prefix('system')}its module's default export is null, expected defineSystem({...})`,
    )
    expect(platformSays('qemu')).toBe(
      `${prefix('platform')}its module's default export is string, expected definePlatform({...})`,
    )
  })
})
