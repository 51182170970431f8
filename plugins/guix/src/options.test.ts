import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { guixOptions } from './options.js'
import { PARAMETERS_MODULE, parametersModule } from './parameters.js'

const validate = (value: unknown) =>
  guixOptions['~standard'].validate(value) as Awaited<ReturnType<(typeof guixOptions)['~standard']['validate']>>

describe('guix options', () => {
  it('fills in the defaults, safety checks on', () => {
    expect(validate({ config: './web.scm' })).toEqual({
      value: {
        config: './web.scm',
        authorize: true,
        loadPath: [],
        allowDowngrades: false,
        safetyChecks: true,
        parameters: {},
        confirmTimeout: 90,
      },
    })
  })

  it.each([
    [{}, ['config']],
    [{ config: 'web.txt' }, ['config']],
    [{ config: 'web.scm', channels: 'channels' }, ['channels']],
    [{ config: 'web.scm', system: 'x86-64' }, ['system']],
    [{ config: 'web.scm', parameters: { '1st': 'x' } }, ['parameters', '1st']],
    [{ config: 'web.scm', parameters: { db: { host: 'x' } } }, ['parameters', 'db']],
    [{ config: 'web.scm', safetyChecks: 'yes' }, ['safetyChecks']],
    [{ config: 'web.scm', confirmTimeout: 1 }, ['confirmTimeout']],
    [{ config: 'web.scm', colour: 'blue' }, []],
  ])('%j is refused at %j', (options, at) => {
    const result = validate(options)
    expect(result.issues?.[0]?.path ?? []).toEqual(at)
  })
})

describe('the (guix-ops parameters) module', () => {
  it('evaluates in Guile and gives back every value, quotes and all', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'guix-ops-parameters-'))
    mkdirSync(path.join(dir, 'guix-ops'))
    const parameters = { 'db-address': '10.0.3.7', port: 5432, tls: false, motd: 'say "hi" \\o/', peers: ['a', 'b'] }
    writeFileSync(path.join(dir, PARAMETERS_MODULE), parametersModule(parameters))
    const program = `(use-modules (guix-ops parameters))
(write (list (parameter "db-address") (parameter "port") (parameter "tls") (parameter "motd")
             (parameter "peers") (parameter "absent" 'fallback)))`
    const out = execFileSync('guile', ['--no-auto-compile', '-L', dir, '-c', program], { encoding: 'utf8' })
    expect(out).toBe('("10.0.3.7" 5432 #f "say \\"hi\\" \\\\o/" ("a" "b") fallback)')
    const missing = () =>
      execFileSync(
        'guile',
        ['--no-auto-compile', '-L', dir, '-c', '(use-modules (guix-ops parameters)) (parameter "nope")'],
        {
          stdio: 'pipe',
        },
      )
    expect(missing).toThrow(/no such parameter/)
  })
})
