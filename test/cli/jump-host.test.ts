// A machine behind a jump host, through the built CLI: every command that
// connects goes through the jump host, and both host keys are pinned.
// The machine's sshd runs in a private network namespace that only the jump
// host reaches; at the same address, this machine reaches an impostor sshd
// that would accept the same client key. Nothing may ever log in to it.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BIN, FIXTURES, guixOps, json, ROOT, tempDir } from '../support/cli.js'
import { startJumpSshd, startPrivateNetwork } from '../support/private-network.js'
import { type PrivateNetwork, sshdUnavailable, startSshd, type TestSshd } from '../support/sshd.js'

const unavailable = sshdUnavailable()
if (unavailable) console.warn(`skipping the jump host CLI tests against real sshd: ${unavailable}`)

interface MachineRecord {
  hostKey?: string
  jumpHostKey?: string
}

// Many CLI runs per test, each a few SSH connections: room for a busy machine.
describe.skipIf(unavailable !== undefined)('a machine behind a jump host', { timeout: 240_000 }, () => {
  let network: PrivateNetwork
  let jump: TestSshd
  let target: TestSshd
  let impostor: TestSshd
  let out: string
  let stateDir: string
  const recorded = (): MachineRecord => {
    const list = json<{ state: { machines: Record<string, MachineRecord> } }>(
      guixOps(['info', '-d', 'hidden', '--json'], { stateDir }),
    )
    return list.state.machines.db!
  }
  const printenv = () => guixOps(['ssh', '-d', 'hidden', 'db', '--', 'printenv', 'GUIX_OPS_TEST_HOST'], { stateDir })
  const login = () =>
    spawnSync(process.execPath, [BIN, 'ssh', '-d', 'hidden', 'db'], {
      cwd: ROOT,
      input: 'echo "answered by $GUIX_OPS_TEST_HOST"; exit 3\n',
      encoding: 'utf8',
      env: { ...process.env, GUIX_OPS_STATE_DIR: stateDir, NO_COLOR: '1' },
    })

  beforeAll(async () => {
    network = await startPrivateNetwork()
    jump = await startJumpSshd(network)
    target = await startSshd({ network, authorize: jump.identity, name: 'target' })
    impostor = await startSshd({ port: target.port, authorize: jump.identity, name: 'impostor', verbose: true })
    out = mkdtempSync(path.join(tmpdir(), 'guix-ops-jump-cli-'))
    stateDir = tempDir()
    const config = path.join(out, 'guix-ops.config.ts')
    writeFileSync(
      config,
      `export default {
  name: 'hidden',
  plugins: ['${path.join(FIXTURES, 'plugins/marker-system')}'],
  machines: {
    db: {
      platform: { type: 'managed', host: '127.0.0.1', port: ${target.port}, user: '${target.user}',
        identity: '${jump.identity}', jump: '${jump.user}@127.0.0.1:${jump.port}' },
      system: { type: 'marker', path: '${out}/db', content: 'secret' },
    },
  },
}
`,
    )
    expect(guixOps(['create', config], { stateDir }).code).toBe(0)
  })
  afterAll(async () => {
    await impostor?.stop()
    await target?.stop()
    await jump?.stop()
    await network?.stop()
  })

  it('deploys through the jump host and pins both host keys', () => {
    const deployed = guixOps(['deploy', '-d', 'hidden'], { stateDir })
    expect(deployed.code, deployed.stderr).toBe(0)
    expect(readFileSync(path.join(out, 'db'), 'utf8')).toBe('secret')
    expect(recorded()).toMatchObject({ hostKey: target.hostKey, jumpHostKey: jump.hostKey })
    expect(impostor.log()).not.toContain('Accepted publickey')
  })

  it('ssh, ssh-for-each, scp and check reach the machine, never the impostor', () => {
    expect(printenv()).toMatchObject({ code: 0, stdout: 'target\n' })
    const each = guixOps(['ssh-for-each', '-d', 'hidden', '--', 'printenv', 'GUIX_OPS_TEST_HOST'], { stateDir })
    expect(each.stdout).toContain('db| target')
    const copy = path.join(tempDir(), 'copy')
    expect(guixOps(['scp', '-d', 'hidden', '--from', 'db', path.join(out, 'db'), copy], { stateDir }).code).toBe(0)
    const check = json<{ healthy: boolean; machines: { hostKey: string }[] }>(
      guixOps(['check', '-d', 'hidden', '--json'], { stateDir }),
    )
    expect(check).toMatchObject({ healthy: true, machines: [{ hostKey: 'verified' }] })
    const interactive = login()
    expect(interactive.stdout, interactive.stderr).toContain('answered by target')
    expect(interactive.status).toBe(3)
    expect(impostor.log()).not.toContain('Accepted publickey')
  })

  it('refuses a jump host whose key changed, naming how to accept it, until it is reset', async () => {
    await jump.rotateHostKey()
    const refused = printenv()
    expect(refused.code).not.toBe(0)
    expect(refused.stderr).toContain('E_SSH_HOST_KEY_CHANGED')
    expect(refused.stderr).toContain('jump host')
    expect(refused.stderr).toContain('guix-ops ssh-keys reset -d hidden db --jump')
    const deploy = guixOps(['deploy', '-d', 'hidden'], { stateDir })
    expect(deploy.code).not.toBe(0)
    expect(deploy.stderr).toContain('jump host (')
    expect(deploy.stderr).toContain('guix-ops ssh-keys reset -d hidden db --jump')
    const check = json<{ healthy: boolean; machines: { hostKey: string; error: string }[] }>(
      guixOps(['check', '-d', 'hidden', '--json'], { stateDir }),
    )
    expect(check.healthy).toBe(false)
    expect(check.machines[0]).toMatchObject({ hostKey: 'changed' })
    expect(check.machines[0]!.error).toContain('guix-ops ssh-keys reset -d hidden db --jump')
    const interactive = login()
    expect(interactive.status).not.toBe(0)
    expect(interactive.stdout).not.toContain('answered by')
    expect(interactive.stderr).toContain('guix-ops ssh-keys reset -d hidden db --jump')

    expect(guixOps(['ssh-keys', 'reset', '-d', 'hidden', 'db', '--jump'], { stateDir }).code).toBe(0)
    expect(recorded()).toMatchObject({ hostKey: target.hostKey })
    expect(recorded().jumpHostKey).toBeUndefined()
    // Only a deploy pins a key; the other commands refuse until then.
    expect(printenv().stderr).toContain('has no pinned host key for its jump host')
    expect(guixOps(['deploy', '-d', 'hidden'], { stateDir }).code).toBe(0)
    expect(recorded()).toMatchObject({ hostKey: target.hostKey, jumpHostKey: jump.hostKey })
    expect(printenv()).toMatchObject({ code: 0, stdout: 'target\n' })
    expect(impostor.log()).not.toContain('Accepted publickey')
  })
})
