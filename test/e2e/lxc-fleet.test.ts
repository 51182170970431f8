// The lxc platform end to end through the built CLI: ten containers with
// the debian driver in a three-level chain (db <- web1..web8 <- proxy), on
// the deployment's private network, which another deployment's machine is
// not on. A container removed by hand behind guix-ops' back is reported by
// `check` and made again by `deploy`; `destroy` leaves nothing of ours.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { guixOps, json, tempDir } from '../support/cli.js'
import { lxcUnavailable } from '../support/lxc.js'
import { attach, leasedMacs, linkExists, lxcContainers, reaches } from '../support/lxc-platform.js'

vi.setConfig({ testTimeout: 600_000 })

const unavailable = lxcUnavailable()
if (unavailable) console.warn(`skipping the lxc platform fleet test: ${unavailable}`)

const WEBS = Array.from({ length: 8 }, (_, i) => `web${i + 1}`)

function fleetConfig(): string {
  const web = `({ db }) => ({ platform: { type: 'lxc', memory: 256 }, system: { type: 'debian', files: { '/etc/web.conf': \`db=\${db.address}\\n\` } } })`
  const proxy = `({ ${WEBS.join(', ')} }) => ({ platform: { type: 'lxc' }, system: { type: 'debian', files: { '/etc/proxy.conf': [${WEBS.join(', ')}].map((w) => \`server \${w.address}\\n\`).join('') } } })`
  return `export default {
  deployments: [
  {
    name: 'fleet',
    machines: {
      db: { platform: { type: 'lxc' }, system: { type: 'debian', files: { '/etc/db.conf': 'db\\n' } } },
${WEBS.map((w) => `      ${w}: ${web},`).join('\n')}
      proxy: ${proxy},
    },
  },
  { name: 'other', machines: { lone: { platform: { type: 'lxc' }, system: { type: 'debian' } } } },
  ],
}
`
}

interface Info {
  state: { machines: Record<string, { address?: string; outputs?: { container?: string } }> }
}

describe.skipIf(unavailable !== undefined)('lxc platform: a fleet of ten containers', () => {
  let stateDir: string
  let config: string
  const containers = new Map<string, string>()
  const addresses = new Map<string, string>()
  let ours: string[] = []

  beforeAll(() => {
    const work = mkdtempSync(path.join(tmpdir(), 'guix-ops-lxc-fleet-'))
    config = path.join(work, 'guix-ops.config.ts')
    writeFileSync(config, fleetConfig())
    stateDir = tempDir()
  })

  afterAll(() => {
    for (const d of ['fleet', 'other']) guixOps(['destroy', '-d', d, '--yes'], { stateDir })
  }, 300_000)

  /** Each machine's address on the private network and its container, as `info` gives them. */
  function info(deployment: string): { name: string; address: string; container: string }[] {
    const { state } = json<Info>(guixOps(['info', '-d', deployment, '--json'], { stateDir }))
    return Object.entries(state.machines).map(([name, m]) => ({
      name,
      address: m.address ?? '',
      container: m.outputs?.container ?? '',
    }))
  }

  it('deploys 10 containers in dependency order on their private network', () => {
    for (const d of ['fleet', 'other']) expect(guixOps(['create', config, '-d', d], { stateDir }).code).toBe(0)
    const started = Date.now()
    const deploy = guixOps(['deploy', '-d', 'fleet'], { stateDir, timeoutMs: 600_000 })
    expect(deploy.code, deploy.stderr + deploy.stdout).toBe(0)
    expect(deploy.stdout).toContain('10 changed, 0 unchanged, 0 failed')
    console.log(`deploy of 10 containers: ${((Date.now() - started) / 1000).toFixed(1)} s`)
    for (const m of info('fleet')) {
      containers.set(m.name, m.container)
      addresses.set(m.name, m.address)
    }
    ours = [...containers.values()]
    expect(ours.every((c) => lxcContainers().includes(c))).toBe(true)

    // Each level read the addresses of the one before.
    expect(attach(containers.get('web1')!, ['cat', '/etc/web.conf']).stdout).toBe(`db=${addresses.get('db')}\n`)
    const listed = attach(containers.get('proxy')!, ['cat', '/etc/proxy.conf']).stdout
    expect(listed).toBe(WEBS.map((w) => `server ${addresses.get(w)}\n`).join(''))
    expect(attach(containers.get('web3')!, ['hostname']).stdout.trim()).toBe('web3')

    // The private network: web1 reaches db and proxy reaches web8 by the addresses their results give.
    expect(reaches(containers.get('web1')!, addresses.get('db')!)).toBe(true)
    expect(reaches(containers.get('proxy')!, addresses.get('web8')!)).toBe(true)
  })

  it("puts another deployment's machine on a network of its own", () => {
    const deploy = guixOps(['deploy', '-d', 'other'], { stateDir })
    expect(deploy.code, deploy.stderr + deploy.stdout).toBe(0)
    const lone = info('other')[0]!
    const others = [...addresses.values()].filter((a) => a !== lone.address).slice(0, 2)
    for (const address of others) expect(reaches(lone.container, address)).toBe(false)
    expect(guixOps(['destroy', '-d', 'other', '--yes'], { stateDir }).code).toBe(0)
    expect(lxcContainers()).not.toContain(lone.container)
  })

  it('reports a container removed by hand as not-created, and deploy makes it again', () => {
    const web3 = containers.get('web3')!
    expect(spawnSync('lxc-destroy', ['-f', '-n', web3]).status).toBe(0)
    const check = guixOps(['check', '-d', 'fleet', '--json'], { stateDir })
    expect(check.code).toBe(1)
    const report = json<{ healthy: boolean; machines: { machine: string; status: string }[] }>(check)
    expect(report.machines.find((m) => m.machine === 'web3')?.status).toBe('not-created')
    expect(report.machines.filter((m) => m.status === 'up')).toHaveLength(9)

    const heal = guixOps(['deploy', '-d', 'fleet', '--json'], { stateDir })
    expect(heal.code, heal.stderr + heal.stdout).toBe(0)
    expect(lxcContainers()).toContain(web3)
    expect(attach(web3, ['cat', '/etc/web.conf']).stdout).toBe(`db=${addresses.get('db')}\n`)
    expect(json<{ healthy: boolean }>(guixOps(['check', '-d', 'fleet', '--json'], { stateDir })).healthy).toBe(true)
  })

  it('destroy leaves no container, clone storage, bridge or lease of ours', () => {
    const macs = ours.map((c) =>
      spawnSync('sh', ['-c', 'grep -h "^lxc.net.0.hwaddr" "$1"', 'sh', `/var/lib/lxc/${c}/config`], {
        encoding: 'utf8',
      })
        .stdout.split('=')[1]
        ?.trim(),
    )
    const bridges = spawnSync(
      'sh',
      ['-c', 'grep -h "^lxc.net.1.link" "$@"', 'sh', ...ours.map((c) => `/var/lib/lxc/${c}/config`)],
      {
        encoding: 'utf8',
      },
    ).stdout
    const bridge = /=\s*(\S+)/.exec(bridges)?.[1]
    expect(bridge).toMatch(/^gxo[0-9a-f]+$/)
    expect(linkExists(bridge!)).toBe(true)

    const destroy = guixOps(['destroy', '-d', 'fleet', '--yes'], { stateDir })
    expect(destroy.code, destroy.stderr + destroy.stdout).toBe(0)
    const left = lxcContainers()
    expect(ours.filter((c) => left.includes(c))).toEqual([])
    expect(ours.filter((c) => existsSync(`/var/lib/lxc/${c}`))).toEqual([])
    expect(linkExists(bridge!)).toBe(false)
    // web3's first lease is left by the hand `lxc-destroy` above (its remade container has a new DHCP
    // client id); every lease of a container guix-ops destroyed is given back.
    const web3 = ours.indexOf(containers.get('web3')!)
    expect(macs.filter((m, i) => i !== web3 && m && leasedMacs().includes(m))).toEqual([])
  })
})
