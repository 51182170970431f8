/**
 * Debian machines for end-to-end tests from the lxc platform, deployed by
 * the built CLI: `platform: { type: 'lxc', ... }` machines of the test's own
 * deployment, looked at through `info` and `lxc-attach`. With
 * `lxcPlatform`, a machine's apt sources are the test's local repository
 * alone, bind-mounted read-only through the platform's `mounts` option from
 * its first boot, so no mirror is ever contacted. `destroyMachines` removes
 * them even when the test failed half-way.
 */
import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { guixOps, json } from './cli.js'
import { attach, lxcContainers } from './lxc-platform.js'

export interface LxcMachine {
  /** The machine's container. */
  container: string
  /** The address in its result, what other machines' configs read (the deployment's private network). */
  address: string
  /** Where this host reaches it (lxc-net's bridge). */
  managementAddress: string
  /** Runs a command inside the container as root (for setting up and for looking). */
  exec(argv: string[], input?: string): { code: number | null; stdout: string; stderr: string }
}

/** The platform options (as config text) of a machine whose only apt source is `repo`. */
export function lxcPlatform(work: string, repo: string): string {
  const sources = path.join(work, 'sources.list')
  writeFileSync(sources, 'deb [trusted=yes] file:/srv/repo ./\n')
  const mounts = [
    { source: repo, target: '/srv/repo', readOnly: true },
    { source: sources, target: '/etc/apt/sources.list', readOnly: true },
  ]
  return `{ type: 'lxc', mounts: ${JSON.stringify(mounts)} }`
}

interface Info {
  state: {
    id: string
    machines: Record<
      string,
      { address?: string; outputs?: { container?: string; managementAddress?: string }; resource?: { bridge?: string } }
    >
  }
}

function exec(container: string) {
  return (argv: string[], input?: string) => {
    const r = spawnSync('lxc-attach', ['-n', container, '--clear-env', '--', ...argv], {
      encoding: 'utf8',
      ...(input !== undefined ? { input } : {}),
      env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' },
    })
    return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' }
  }
}

/** The deployment's machines as `info` gives them. */
export function lxcMachines(stateDir: string, deployment: string): Record<string, LxcMachine> {
  const info = json<Info>(guixOps(['info', '-d', deployment, '--json'], { stateDir }))
  const machines: Record<string, LxcMachine> = {}
  for (const [name, m] of Object.entries(info.state.machines)) {
    const container = m.outputs?.container ?? ''
    machines[name] = {
      container,
      address: m.address ?? '',
      managementAddress: m.outputs?.managementAddress ?? '',
      exec: exec(container),
    }
  }
  return machines
}

/**
 * `guix-ops destroy`, with the environment the config reads (a config that
 * cannot be evaluated cannot be destroyed). Whatever of the deployment is
 * still there after it (containers, its private bridge) is removed by hand,
 * and then the destroy's failure is thrown: a test must not pass while its
 * deployment's teardown fails.
 */
export function destroyMachines(stateDir: string, deployment: string, env: Record<string, string> = {}): void {
  const listed = guixOps(['info', '-d', deployment, '--json'], { stateDir, env })
  const state = listed.code === 0 ? json<Info>(listed).state : undefined
  const id = state?.id
  const destroyed = guixOps(['destroy', '-d', deployment, '--yes'], { stateDir, timeoutMs: 300_000, env })
  if (!id) return
  for (const left of lxcContainers().filter((c) => c.startsWith(`guix-ops-${id.slice(0, 8)}-`))) {
    attach(left, ['timeout', '5', 'ifdown', 'eth0'])
    spawnSync('lxc-destroy', ['-f', '-n', left])
  }
  if (destroyed.code !== 0) {
    const bridges = new Set(Object.values(state?.machines ?? {}).map((m) => m.resource?.bridge))
    for (const bridge of bridges) if (bridge) spawnSync('ip', ['link', 'del', 'dev', bridge])
    throw new Error(`guix-ops destroy -d ${deployment} failed:\n${destroyed.stdout}${destroyed.stderr}`)
  }
}
