// Options changed on an existing EC2 machine, through the real CLI against
// the loopback endpoint: a new instanceType is applied by deploy (stop,
// ModifyInstanceAttribute, start, never on a running instance), and listed
// first by deploy --dry-run; a new ami or root volume is never applied
// behind the user's back: deploy, check and info say the machine was made
// with the old value and that destroy then deploy re-creates it.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { guixOpsAsync, json, tempDir } from '../../support/cli.js'
import { type Ec2Endpoint, ec2ModelUnavailable, ec2TestEnv, startEc2Endpoint } from '../../support/ec2/index.js'
import { sshdUnavailable } from '../../support/sshd.js'

vi.setConfig({ testTimeout: 300_000 })
const unavailable = ec2ModelUnavailable() ?? sshdUnavailable()
if (unavailable) console.warn(`skipping the ec2 option change tests: ${unavailable}`)

describe.skipIf(unavailable !== undefined)('options changed on an existing ec2 machine', () => {
  let endpoint: Ec2Endpoint
  let env: Record<string, string>
  beforeAll(async () => {
    endpoint = await startEc2Endpoint()
    env = ec2TestEnv(endpoint.url)
  })
  afterAll(async () => {
    await endpoint?.stop()
  })

  const cli = (args: string[], stateDir: string) => guixOpsAsync(args, { stateDir, env, timeoutMs: 240_000 })
  const dir = tempDir()
  const config = path.join(dir, 'guix-ops.config.json')
  const stateDir = path.join(dir, 'state')
  const etc = path.join(dir, 'etc')

  function write(platform: Record<string, unknown>) {
    const system = { type: 'debian', autoRollback: false, files: { [path.join(etc, 'web')]: 'web\n' } }
    const common = { type: 'ec2', region: 'us-east-1', user: 'root', bootTimeout: 60 }
    writeFileSync(
      config,
      JSON.stringify({ name: 'shop', machines: { web: { platform: { ...common, ...platform }, system } } }),
    )
  }
  const instance = () => {
    const deployments = path.join(stateDir, 'deployments')
    const state = JSON.parse(readFileSync(path.join(deployments, readdirSync(deployments)[0]!), 'utf8'))
    return endpoint.world.instances.get(state.machines.web.resource.instanceId)!
  }
  const output = (r: { stdout: string; stderr: string }) => r.stdout + r.stderr
  /** The warnings a `--json` run wrote as events on stderr. */
  const warnings = (r: { stderr: string }) =>
    r.stderr
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { type: string; level?: string; message: string })
      .filter((e) => e.type === 'log' && e.level === 'warn')
      .map((e) => e.message)
  const recreate = (option: string, from: string, to: string) =>
    `ec2 machine "web" was made with ${option} ${from}; the config now says ${to}, which cannot change on an existing machine, so it was left as it is: \`guix-ops destroy -d shop web\` then \`guix-ops deploy -d shop\` re-creates it with the new value (what is on its disks is lost) [E_EC2_RECREATE]`

  it('instanceType is changed by deploy, stopped first; ami and rootVolume are told, never changed', async () => {
    mkdirSync(etc)
    write({})
    expect((await cli(['create', config], stateDir)).code).toBe(0)
    const first = await cli(['deploy', '-d', 'shop'], stateDir)
    expect(first.code, output(first)).toBe(0)
    const made = instance()
    expect(made.instanceType).toBe('t3.micro')
    const imageId = made.imageId

    write({ instanceType: 't3.small', ami: 'debian-11-amd64-*', rootVolume: { size: 16 } })
    const amiMessage = recreate('ami', '"debian-12-amd64-*"', '"debian-11-amd64-*"')
    const volumeMessage = recreate(
      'rootVolume',
      '{"size":8,"type":"gp3","encrypted":true}',
      '{"size":16,"type":"gp3","encrypted":true}',
    )

    // The dry run lists the type change as one that stops and starts the machine, and changes nothing.
    const before = endpoint.world.calls.length
    const planned = await cli(['deploy', '-d', 'shop', '--dry-run', '--json'], stateDir)
    expect(planned.code, output(planned)).toBe(0)
    const changes = json<{ outcomes: { changes: { action: string; subject: string; detail?: string }[] }[] }>(planned)
      .outcomes[0]!.changes
    expect(changes).toContainEqual({
      action: 'update',
      subject: 'ec2 instanceType',
      detail: '"t3.micro" -> "t3.small": stops and starts the machine, erasing its instance-store volumes',
    })
    expect(warnings(planned)).toEqual([amiMessage, volumeMessage])
    expect(endpoint.world.calls.slice(before).filter((a) => !a.startsWith('Describe'))).toEqual([])
    expect(made.instanceType).toBe('t3.micro')

    for (const command of ['check', 'info']) {
      const told = await cli([command, '-d', 'shop'], stateDir)
      expect(output(told)).toContain(
        'ec2 machine "web" was made with instanceType "t3.micro"; the config now says "t3.small": deploy changes it (stops and starts the machine, erasing its instance-store volumes)',
      )
      expect(output(told)).toContain(amiMessage)
      expect(output(told)).toContain(volumeMessage)
    }
    expect((await cli(['check', '-d', 'shop'], stateDir)).code).toBe(1)

    const sent = endpoint.world.calls.length
    const deployed = await cli(['deploy', '-d', 'shop'], stateDir)
    expect(deployed.code, output(deployed)).toBe(0)
    expect(output(deployed)).toContain(amiMessage)
    expect(output(deployed)).toContain(volumeMessage)
    expect(instance().id).toBe(made.id)
    expect(made.instanceType).toBe('t3.small')
    expect(made.imageId).toBe(imageId)
    expect(made.rootVolume.size).toBe(8)
    expect(made.state).toBe('running')
    const acted = endpoint.world.calls.slice(sent).filter((a) => !/^(Describe|GetConsoleOutput)/.test(a))
    expect(acted).toEqual(['StopInstances', 'ModifyInstanceAttribute', 'StartInstances'])
    expect(endpoint.world.faults.filter((f) => f.includes('IncorrectInstanceState'))).toEqual([])

    // Applied: the type is no longer told; the ami and the volume still are, until destroy and deploy.
    const after = await cli(['check', '-d', 'shop'], stateDir)
    expect(output(after)).not.toContain('instanceType')
    expect(output(after)).toContain(amiMessage)
    expect(endpoint.world.calls.slice(sent)).not.toContain('RunInstances')

    expect((await cli(['destroy', '-d', 'shop', '--yes'], stateDir)).code).toBe(0)
  })
})
