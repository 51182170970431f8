// A Guix config that does not read is refused before anything remote, through
// the built CLI: by `create` and `modify` (nothing is recorded), by `deploy
// --dry-run` for a machine never deployed, by `deploy` against a host that
// does not answer (the syntax error, not the connection's), and on the qemu
// platform before any VM is started. The only host named is 127.0.0.1 on a
// port where nothing listens.
import { cpSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { beforeEach, describe, expect, it } from 'vitest'
import { FIXTURES, guixOps, json, snapshot, tempDir } from '../support/cli.js'

interface ErrorOutput {
  error: { code: string; message: string; where?: { file?: string; machine?: string } }
}

const BROKEN = '(use-modules (gnu))\n(operating-system\n  (host-name "web)\n'

describe('a Guix config is read before anything remote', () => {
  let work: string
  let stateDir: string
  let config: string
  let webScm: string

  /** One machine `web` on the given platform, its system read from web.scm. */
  function writeConfig(platform: string): void {
    writeFileSync(
      config,
      `export default {
  name: 'syntax-first',
  machines: { web: { platform: ${platform}, system: { type: 'guix', config: './web.scm' } } },
}
`,
    )
  }
  // Ports on which nothing listens; two machines of one deployment may not name the same host and port.
  const unreachable = (port = 1) =>
    `{ type: 'managed', host: '127.0.0.1', port: ${port}, identity: '${path.join(work, 'key')}' }`
  // No guix on this machine's PATH, whatever this machine has.
  const env = { PATH: `${path.dirname(process.execPath)}:/usr/bin:/bin` }
  const run = (...args: string[]) => guixOps(args, { stateDir, env })
  const syntaxError = (result: ReturnType<typeof run>) => {
    expect(result.code).not.toBe(0)
    const { error } = json<ErrorOutput>(result)
    expect(error.code).toBe('E_GUIX_SYNTAX')
    expect(error.message).toBe(`${webScm}:3:14: this string is never closed`)
    return error
  }

  beforeEach(() => {
    work = tempDir('guix-ops-syntax-first-')
    stateDir = tempDir()
    cpSync(path.join(FIXTURES, 'guix/good'), work, { recursive: true })
    writeFileSync(path.join(work, 'key'), 'not a key: never read, since nothing connects\n', { mode: 0o600 })
    config = path.join(work, 'guix-ops.config.ts')
    webScm = path.join(work, 'web.scm')
  })

  it('create refuses a config that does not read, and records nothing', () => {
    writeConfig(unreachable())
    writeFileSync(webScm, BROKEN)
    const error = syntaxError(run('create', config, '--json'))
    expect(error.where?.machine).toBe('web')
    expect(json<unknown[]>(run('list', '--json'))).toEqual([])
  })

  it('a machine computed from another machine is read too, though the value it reads is not known yet', () => {
    writeFileSync(path.join(work, 'db.scm'), '(use-modules (gnu))\n(operating-system (host-name "db"))\n')
    writeFileSync(
      config,
      `export default {
  name: 'syntax-first',
  machines: {
    db: { platform: ${unreachable()}, system: { type: 'guix', config: './db.scm' } },
    web: ({ db }) => ({
      platform: ${unreachable(2)},
      system: { type: 'guix', config: './web.scm', parameters: { 'db-address': db.address } },
    }),
  },
}
`,
    )
    writeFileSync(webScm, BROKEN)
    syntaxError(run('create', config, '--json'))
  })

  it('modify refuses it too, and the deployment stays as it was', () => {
    writeConfig(unreachable())
    expect(run('create', config).code).toBe(0)
    const before = snapshot(stateDir)
    writeFileSync(webScm, BROKEN)
    syntaxError(run('modify', '-d', 'syntax-first', '--config', config, '--json'))
    expect(snapshot(stateDir)).toEqual(before)
  })

  it('deploy --dry-run reads the config of a machine not created yet, rather than planning blindly', () => {
    writeConfig(unreachable())
    expect(run('create', config).code).toBe(0)
    const good = json<{ outcomes: { changes: { detail?: string }[] }[] }>(
      run('deploy', '-d', 'syntax-first', '--dry-run', '--json'),
    )
    expect(good.outcomes[0]?.changes).toHaveLength(1)
    // No guix on this machine: the dry run says the host will build it, and why.
    expect(good.outcomes[0]?.changes[0]?.detail).toBe(
      'managed / guix: built on the host with guix system reconfigure (buildLocally is unset and this machine has no guix on its PATH)',
    )
    writeFileSync(webScm, BROKEN)
    syntaxError(run('deploy', '-d', 'syntax-first', '--dry-run', '--json'))
  })

  it('deploy against a host that does not answer reports the syntax error, not the connection', () => {
    writeConfig(unreachable())
    expect(run('create', config).code).toBe(0)
    writeFileSync(webScm, BROKEN)
    const result = run('deploy', '-d', 'syntax-first', '--json')
    syntaxError(result)
    expect(result.stdout + result.stderr).not.toContain('ECONNREFUSED')
  })

  it('on the qemu platform, no VM is started before the config is read', () => {
    // An image that does not exist: were the platform asked first, it would fail on that instead.
    writeConfig(`{ type: 'qemu', image: '${path.join(work, 'no-such-image.qcow2')}' }`)
    expect(run('create', config).code).toBe(0)
    writeFileSync(webScm, BROKEN)
    const before = snapshot(stateDir)
    syntaxError(run('deploy', '-d', 'syntax-first', '--json'))
    expect(snapshot(stateDir)).toEqual(before)
    expect(readFileSync(webScm, 'utf8')).toBe(BROKEN)
  })
})
