import { GuixOpsError } from '@guix-ops/plugin-api'
import { Errors, Flags, Parser } from '@oclif/core'
import { describe, expect, it } from 'vitest'
import { renderError, toGuixOpsError } from './errors.js'

/** What oclif's own parser throws for `argv`, as a command would meet it. */
async function parseError(argv: string[]): Promise<unknown> {
  try {
    await Parser.parse(argv, { flags: { mode: Flags.string({ options: ['a', 'b'] }) }, strict: true })
  } catch (error) {
    return error
  }
  throw new Error('the parser accepted it')
}

describe('toGuixOpsError', () => {
  it("makes oclif's parse errors usage errors with exit status 2", async () => {
    for (const argv of [['--frobnicate'], ['--mode', 'c'], ['extra']]) {
      const failure = toGuixOpsError(await parseError(argv))
      expect([failure.code, failure.exit, failure.suggestion], argv.join(' ')).toEqual(['E_USAGE', 2, 'see --help'])
    }
  })

  it('does not take an unexpected error for a usage error because of the words in its message', () => {
    for (const error of [
      new TypeError('The "path" argument must be of type string. Received undefined'),
      new SyntaxError('Unexpected token } in JSON at position 12'),
      new RangeError('Invalid flag value'),
    ]) {
      const failure = toGuixOpsError(error)
      expect([failure.code, failure.exit], error.message).toEqual(['E_INTERNAL', 1])
      expect(failure.message).toBe(error.message)
    }
  })

  it('an oclif error whose message says nothing of usage is still a usage error', () => {
    const failure = toGuixOpsError(new Errors.CLIError('command deploi not found'))
    expect([failure.code, failure.exit]).toEqual(['E_USAGE', 2])
  })

  it("keeps the code and suggestions a plugin's command gave this.error, and shows them", () => {
    const error = new Errors.CLIError('the account has no machines left', {
      code: 'E_ACME_QUOTA',
      exit: 1,
      suggestions: ['raise the quota in the console'],
    })
    const failure = toGuixOpsError(error)
    expect([failure.code, failure.exit, failure.suggestion]).toEqual([
      'E_ACME_QUOTA',
      1,
      'raise the quota in the console',
    ])
    expect(renderError(failure)).toBe(
      'error E_ACME_QUOTA: the account has no machines left\n  hint: raise the quota in the console',
    )
  })

  it('returns guix-ops errors as they are', () => {
    const error = new GuixOpsError('E_QEMU_BOOT', 'the VM died', { suggestion: 'read the serial log' })
    expect(toGuixOpsError(error)).toBe(error)
  })

  it('during plugins install|link, failures are E_PLUGIN_INSTALL, but a parse error stays a usage error', async () => {
    const npm = new Errors.CLIError('/usr/lib/npm-cli.js install file:/tmp/x.tgz --omit dev exited with code 1')
    expect(toGuixOpsError(npm, { installingPlugin: true })).toMatchObject({
      code: 'E_PLUGIN_INSTALL',
      message: 'npm could not install file:/tmp/x.tgz; its own error is above',
    })
    expect(toGuixOpsError(new Error('EACCES'), { installingPlugin: true }).code).toBe('E_PLUGIN_INSTALL')
    expect(toGuixOpsError(await parseError(['--frobnicate']), { installingPlugin: true }).code).toBe('E_USAGE')
    expect(toGuixOpsError(npm).code).toBe('E_USAGE')
  })
})
