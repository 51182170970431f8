// Bad input to the lxc platform through the built CLI: a wrong option is
// refused at `create`, naming the machine and the field, with nothing
// recorded; a user who is not root, on a host whose bridge is missing, is
// told exactly what to run, and no container is made.
import { spawnSync } from 'node:child_process'
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { testContext } from '@guix-ops/platform-test-kit'
import lxc from '@guix-ops/plugin-lxc'
import { describe, expect, it } from 'vitest'
import { BIN, guixOps, snapshot, tempDir } from '../support/cli.js'
import { lxcUnavailable } from '../support/lxc.js'
import { lxcContainers } from '../support/lxc-platform.js'

const unavailable = lxcUnavailable()

function configWith(platform: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'guix-ops-lxc-bad-'))
  chmodSync(dir, 0o755)
  const file = path.join(dir, 'guix-ops.config.ts')
  writeFileSync(
    file,
    `export default { name: 'bad', machines: { web: { platform: { type: 'lxc', ${platform} }, system: { type: 'debian' } } } }\n`,
  )
  return file
}

describe('lxc platform: bad input', () => {
  // Every option's wrong type and range is in plugins/lxc/src/options.test.ts and the conformance
  // suite; here a few go through the CLI, to see how a user reads them.
  const cases: [string, string][] = [
    ["release: 'potato'", 'release: unknown Debian release; expected one of bullseye, bookworm, trixie'],
    ["memory: '1G'", 'memory: '],
    ["mounts: [{ source: 'srv', target: '/srv' }]", 'mounts[0].source: expected an absolute host path'],
    ["ports: { '80': 0 }", 'ports["80"]: must be >=1'],
    ["autostart: 'yes'", 'autostart: '],
  ]
  for (const [option, said] of cases) {
    it(`refuses ${option} at create, naming machine web and the field, recording nothing`, () => {
      const stateDir = tempDir()
      const result = guixOps(['create', configWith(option)], { stateDir })
      expect(result.code).toBe(1)
      expect(result.stderr).toContain(`error E_PLATFORM_OPTION: machines.web.platform.${said}`)
      expect(result.stderr).toContain('machine web')
      const recorded = Object.keys(snapshot(stateDir)).filter((f) => !f.startsWith('locks/'))
      expect(recorded).toEqual([])
    })
  }

  it.skipIf(unavailable !== undefined)(
    'tells a user who is not root, on a host without the bridge, exactly what to run, and makes nothing',
    () => {
      const stateDir = path.join(mkdtempSync(path.join(tmpdir(), 'guix-ops-lxc-nonroot-')), 'state')
      chmodSync(path.dirname(stateDir), 0o755)
      mkdirSync(stateDir)
      chownSync(stateDir, 65534, 65534)
      const env = { ...process.env, GUIX_OPS_STATE_DIR: stateDir, HOME: '/tmp', NO_COLOR: '1' }
      const asNobody = (argv: string[], ownNetwork = false) => {
        // A network namespace of its own (with its own sysfs) is a host where lxc-net never ran.
        const inner = ['runuser', '-u', 'nobody', '--', process.execPath, BIN, ...argv]
        const command = ownNetwork
          ? ['unshare', '-nm', 'sh', '-c', 'mount -t sysfs sysfs /sys && exec "$@"', 'sh', ...inner]
          : inner
        return spawnSync(command[0]!, command.slice(1), { encoding: 'utf8', env })
      }
      const created = asNobody(['create', configWith('memory: 256')])
      expect(created.status).toBe(0)
      const id = /id:\s+([0-9a-f]{8})/.exec(created.stdout)?.[1]
      expect(id).toBeDefined()
      const result = asNobody(['deploy', '-d', 'bad'], true)
      expect(result.status).toBe(1)
      expect(result.stderr).toContain('the bridge lxcbr0 does not exist; setting it up needs root')
      expect(result.stderr).toContain("run: sudo sh -c 'rm -f /run/lxc/network_up; /usr/libexec/lxc/lxc-net start'")
      expect(result.stdout).toMatch(/web\s+failed/)
      expect(lxcContainers().filter((c) => c.startsWith(`guix-ops-${id}-`))).toEqual([])
    },
  )
})

describe.skipIf(unavailable !== undefined)('lxc platform: a provision that fails half-way', () => {
  it('leaves no container behind', async () => {
    const ctx = testContext('halfway')
    // The machine's state directory is a file: its host key cannot be kept, once the clone is made.
    rmSync(ctx.stateDir, { recursive: true })
    writeFileSync(ctx.stateDir, '')
    try {
      const options = (await lxc.options['~standard'].validate({})) as { value: unknown }
      await expect(lxc.provision(ctx, { name: 'halfway', options: options.value as never })).rejects.toThrow()
      expect(lxcContainers().filter((c) => c.startsWith(`guix-ops-${ctx.deployment.id.slice(0, 8)}-halfway`))).toEqual(
        [],
      )
    } finally {
      ctx.cleanup()
    }
  })
})
