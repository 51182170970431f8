// examples/lxc end to end through the built CLI, on real containers: the
// quick start's db + web pair (web answers on a forwarded port with what it
// read from db across the private network) and the fleet behind one nginx
// proxy, whose config lists every node from its result: requests through the
// proxy reach each node. Sized for CI with four nodes (LXC_EXAMPLE_NODES);
// destroy leaves no container, bridge or open port of ours.
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { guixOps, guixOpsAsync, json, ROOT, tempDir } from '../support/cli.js'
import { lxcUnavailable } from '../support/lxc.js'
import { linkExists, lxcContainers } from '../support/lxc-platform.js'
import { freePort, listening } from '../support/ports.js'

const LONG = 1_200_000
vi.setConfig({ testTimeout: LONG, hookTimeout: LONG })

const unavailable = lxcUnavailable()
if (unavailable) console.warn(`skipping the lxc example test: ${unavailable}`)

const CONFIG = path.join(ROOT, 'examples/lxc/guix-ops.config.ts')
const NODES = ['node1', 'node2', 'node3', 'node4']

interface Info {
  state: { machines: Record<string, { address?: string; resource?: { bridge?: string } }> }
}

describe.skipIf(unavailable !== undefined)('examples/lxc: the quick start and a fleet on containers', () => {
  const stateDir = tempDir('guix-ops-lxc-example-')
  const env: Record<string, string> = { LXC_EXAMPLE_NODES: String(NODES.length) }
  const run = (args: string[]) => guixOps(args, { stateDir, env, timeoutMs: LONG })
  const info = () => json<Info>(run(['info', '-d', 'lxc-fleet', '--json'])).state.machines
  let id = ''

  beforeAll(async () => {
    env.LXC_EXAMPLE_WEB_PORT = String(await freePort())
    env.LXC_EXAMPLE_PORT = String(await freePort())
    const created = run(['create', CONFIG])
    expect(created.code, created.stderr).toBe(0)
    id = /id:\s+([0-9a-f]{8})/.exec(created.stdout)?.[1] ?? ''
  })

  afterAll(async () => {
    if (lxcContainers().some((c) => c.startsWith(`guix-ops-${id}-`)))
      await guixOpsAsync(['destroy', '-d', 'lxc-fleet', '--yes'], { stateDir, env, timeoutMs: LONG })
  })

  it('deploys db, web, the nodes and then the proxy', async () => {
    const deployed = await guixOpsAsync(['deploy', '-d', 'lxc-fleet', '--json'], { stateDir, env, timeoutMs: LONG })
    const summary = json<{ changed: string[]; failed: unknown[] }>(deployed)
    expect(summary.failed, deployed.stderr).toEqual([])
    expect(summary.changed.sort()).toEqual(['db', ...NODES, 'proxy', 'web'].sort())
  })

  it("web answers on its forwarded port with db's address on the private network", async () => {
    const db = info().db!.address
    expect(db).toMatch(/^10\.78\.0\.\d+$/)
    const page = await (await fetch(`http://127.0.0.1:${env.LXC_EXAMPLE_WEB_PORT}/`)).text()
    expect(page).toBe(`Hello from web! The database at ${db}:6379 has counted 1 visit(s).\n`)
  })

  it('the proxy answers through to every node, by the addresses their results give', async () => {
    const machines = info()
    const answered = new Set<string>()
    for (let i = 0; i < NODES.length * 2; i++) {
      const response = await fetch(`http://127.0.0.1:${env.LXC_EXAMPLE_PORT}/`)
      expect(await response.text()).toContain(`The database at ${machines.db!.address}:6379 has counted`)
      answered.add(response.headers.get('x-upstream') ?? '')
    }
    expect([...answered].sort()).toEqual(NODES.map((n) => `${machines[n]!.address}:80`).sort())
  })

  it('destroy leaves no container, bridge or open port of ours', async () => {
    const bridge = info().db!.resource!.bridge!
    expect(linkExists(bridge)).toBe(true)
    const destroyed = await guixOpsAsync(['destroy', '-d', 'lxc-fleet', '--yes'], { stateDir, env, timeoutMs: LONG })
    expect(destroyed.code, destroyed.stderr).toBe(0)
    expect(lxcContainers().filter((c) => c.startsWith(`guix-ops-${id}-`))).toEqual([])
    expect(await listening(Number(env.LXC_EXAMPLE_PORT))).toBe(false)
    expect(await listening(Number(env.LXC_EXAMPLE_WEB_PORT))).toBe(false)
    expect(linkExists(bridge)).toBe(false)
  })
})
