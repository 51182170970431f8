// An EC2 machine's whole life through the real CLI, against the loopback EC2
// endpoint whose instances are real sshd hosts on 127.0.0.N (each with its
// own /var/lib, and no systemd, so the debian driver runs with autoRollback:
// false and deploys only files under the test's temp dir): deploy (launch,
// wait for SSH, pin the host key from the console, apply), stop, start,
// SSH again, destroy (and only what guix-ops made is removed).
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { guixOpsAsync, json, tempDir } from '../../support/cli.js'
import { type Ec2Endpoint, ec2ModelUnavailable, ec2TestEnv, startEc2Endpoint } from '../../support/ec2/index.js'
import { sshdUnavailable } from '../../support/sshd.js'

vi.setConfig({ testTimeout: 300_000 })
const unavailable = ec2ModelUnavailable() ?? sshdUnavailable()
if (unavailable) console.warn(`skipping the ec2 deploy tests: ${unavailable}`)

describe.skipIf(unavailable !== undefined)('ec2 machines deployed through the CLI', () => {
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

  function project(name: string, machines: string[], extra: Record<string, unknown> = {}) {
    const dir = tempDir()
    const etc = path.join(dir, 'etc')
    mkdirSync(etc)
    const platform = {
      type: 'ec2',
      region: 'us-east-1',
      user: 'root',
      bootTimeout: 60,
      tags: { team: 'web' },
      ...extra,
    }
    const config = path.join(dir, 'guix-ops.config.json')
    const system = (m: string) => ({ type: 'debian', autoRollback: false, files: { [path.join(etc, m)]: `${m}\n` } })
    const defs = Object.fromEntries(machines.map((m) => [m, { platform, system: system(m) }]))
    writeFileSync(config, JSON.stringify({ name, machines: defs }))
    return { dir, etc, config, stateDir: path.join(dir, 'state') }
  }

  const recorded = (stateDir: string) => {
    const deployments = path.join(stateDir, 'deployments')
    const file = path.join(deployments, readdirSync(deployments)[0]!)
    return JSON.parse(readFileSync(file, 'utf8')) as {
      id: string
      machines: Record<string, { resource: Record<string, unknown> }>
    }
  }

  it('deploys, stops, starts, deploys again and destroys; the host key is the one the console printed', async () => {
    const p = project('shop', ['web'])
    expect((await cli(['create', p.config], p.stateDir)).code).toBe(0)
    const deployed = await cli(['deploy', '-d', 'shop', '--json'], p.stateDir)
    expect(deployed.code, deployed.stderr + deployed.stdout).toBe(0)
    expect(readFileSync(path.join(p.etc, 'web'), 'utf8')).toBe('web\n')

    const state = recorded(p.stateDir)
    const resource = state.machines.web!.resource
    const instance = endpoint.world.instances.get(resource.instanceId as string)!
    expect(instance.state).toBe('running')
    expect(instance.tags).toMatchObject({ 'guix-ops:deployment': state.id, 'guix-ops:machine': 'web', team: 'web' })
    const consoleKey = /-----BEGIN SSH HOST KEY KEYS-----\n(\S+ \S+)/.exec(instance.console)![1]
    expect(resource.hostKey).toBe(consoleKey)
    expect(JSON.stringify(state)).not.toMatch(/AKIA|wJalr/) // no credentials in state

    expect((await cli(['stop', '-d', 'shop'], p.stateDir)).code).toBe(0)
    expect(instance.state).toBe('stopped')
    expect((await cli(['start', '-d', 'shop'], p.stateDir)).code).toBe(0)
    expect(instance.state).toBe('running')
    const ssh = await cli(['ssh', '-d', 'shop', 'web', '--', 'cat', path.join(p.etc, 'web')], p.stateDir)
    expect(ssh.stdout, ssh.stderr).toBe('web\n') // the same host, its key still the pinned one

    const destroyed = await cli(['destroy', '-d', 'shop', '--yes'], p.stateDir)
    expect(destroyed.code, destroyed.stderr).toBe(0)
    expect(instance.state).toMatch(/shutting-down|terminated/)
    expect([...endpoint.world.groups.values()].filter((g) => g.name.includes(state.id))).toEqual([])
    expect(endpoint.world.keyPairs.has(`guix-ops-${state.id}`)).toBe(false)
    expect(existsSync(path.join(p.etc, 'web'))).toBe(true) // the files deployed were on the host, not removed by destroy
  })

  it('bad options are refused at create, naming machine and field; nothing reaches EC2', async () => {
    const before = endpoint.world.calls.length
    const p = project('bad', ['web'], { region: 'mars-north-1', rootVolume: { size: 'big' }, spot: 'yes' })
    const created = await cli(['create', p.config, '--json'], p.stateDir)
    expect(created.code).toBe(1)
    const error = JSON.parse(created.stdout || created.stderr).error
    const fields = [error, ...(error.details ?? [])].map((e: { where?: { path?: string } }) => e.where?.path)
    expect(fields).toEqual(
      expect.arrayContaining([
        'machines.web.platform.region',
        'machines.web.platform.rootVolume.size',
        'machines.web.platform.spot',
      ]),
    )
    expect(endpoint.world.calls.length).toBe(before)
  })

  it('an AMI name matching nothing fails the deploy with E_EC2_IMAGE; nothing is created', async () => {
    const p = project('noimage', ['web'], { ami: 'debian-99-*' })
    expect((await cli(['create', p.config], p.stateDir)).code).toBe(0)
    const before = endpoint.world.calls.length
    const deployed = await cli(['deploy', '-d', 'noimage', '--json'], p.stateDir)
    expect(deployed.code).toBe(1)
    expect(deployed.stdout).toContain('E_EC2_IMAGE')
    expect(deployed.stdout).toContain('ec2: machine \\"web\\": no image named \\"debian-99-*\\"')
    expect(endpoint.world.calls.slice(before).filter((a) => !a.startsWith('Describe'))).toEqual([])
  })

  it('deploy --dry-run lists every AWS resource it would make, after EC2 dry-runs the launch; nothing is made', async () => {
    const p = project('plan', ['web'], { elasticIp: true })
    expect((await cli(['create', p.config], p.stateDir)).code).toBe(0)
    const before = endpoint.world.calls.length
    const planned = await cli(['deploy', '-d', 'plan', '--dry-run', '--json'], p.stateDir)
    expect(planned.code, planned.stderr).toBe(0)
    const id = recorded(p.stateDir).id
    const subjects = json<{ outcomes: { changes: { subject: string }[] }[] }>(planned).outcomes[0]!.changes.map(
      (c) => c.subject,
    )
    expect(subjects).toEqual([
      'machine web',
      'ec2 instance t3.micro',
      `ec2 security group guix-ops-${id}`,
      `ec2 key pair guix-ops-${id}`,
      'ec2 elastic IP',
    ])
    const sent = endpoint.world.calls.slice(before)
    expect(sent.filter((a) => !a.startsWith('Describe'))).toEqual(['RunInstances']) // with DryRun=true
    expect([...endpoint.world.instances.values()].filter((i) => i.tags['guix-ops:deployment'] === id)).toEqual([])

    // Credentials without ec2:RunInstances: the dry run says so before anything is made.
    endpoint.world.failNext(
      'RunInstances',
      'UnauthorizedOperation',
      'You are not authorized to perform this operation.',
    )
    const denied = await cli(['deploy', '-d', 'plan', '--dry-run', '--json'], p.stateDir)
    expect(denied.code).toBe(1)
    expect(denied.stdout).toContain('E_EC2_DENIED')
    expect(denied.stdout).toContain('RunInstances (dry run) failed: AWS said UnauthorizedOperation')
  })
})
