/**
 * A deployment of `fake-cloud` machines (and, if asked, a managed host) that
 * exist as far as guix-ops knows: created through the CLI, with the
 * platform's resources recorded in state and its machine files in a dir of
 * the test's own. Nothing is contacted: fake-cloud keeps machines in files.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { FIXTURES, guixOps, tempDir } from './cli.js'

export type FakeMachine = { needs?: string[]; status?: 'up' | 'stopped' } | 'managed'

export interface Fleet {
  stateDir: string
  /** Where fake-cloud keeps its machines and `calls.log`. */
  cloud: string
  stateFile: string
}

export function fakeFleet(name: string, machines: Record<string, FakeMachine>): Fleet {
  const dir = tempDir()
  const stateDir = path.join(dir, 'state')
  const cloud = path.join(dir, 'cloud')
  mkdirSync(cloud)
  const config = path.join(dir, 'guix-ops.config.json')
  const platform = (m: FakeMachine) =>
    m === 'managed' ? { type: 'managed', host: '127.0.0.1' } : { type: 'fake-cloud', region: 'north' }
  const definitions = Object.fromEntries(
    Object.entries(machines).map(([m, spec]) => [
      m,
      {
        platform: platform(spec),
        system: { type: 'fake-os' },
        ...(spec !== 'managed' && spec.needs ? { needs: spec.needs } : {}),
      },
    ]),
  )
  const plugins = [path.join(FIXTURES, 'plugins/fake-cloud')]
  writeFileSync(config, JSON.stringify({ name, plugins, machines: definitions }))
  const created = guixOps(['create', config], { stateDir })
  if (created.code !== 0) throw new Error(`create failed: ${created.stderr}`)
  const stateFile = path.join(stateDir, 'deployments', readdirSync(path.join(stateDir, 'deployments'))[0]!)
  const state = JSON.parse(readFileSync(stateFile, 'utf8'))
  for (const [m, spec] of Object.entries(machines)) {
    if (spec === 'managed') {
      state.machines[m].resource = { host: '127.0.0.1', port: 22, user: 'root', sudo: false, hostKey: null }
      continue
    }
    state.machines[m].resource = { dir: cloud, id: m }
    state.machines[m].address = `10.0.0.${Object.keys(machines).indexOf(m) + 1}`
    writeFileSync(path.join(cloud, `${m}.json`), JSON.stringify({ status: spec.status ?? 'up' }))
    // What plugins keep of a machine in the state dir: its files and its secrets.
    for (const file of machineFiles({ stateDir, cloud, stateFile }, m)) {
      mkdirSync(path.dirname(file), { recursive: true })
      writeFileSync(file, m, { mode: 0o600 })
    }
  }
  writeFileSync(stateFile, JSON.stringify(state), { mode: 0o600 })
  return { stateDir, cloud, stateFile }
}

/** The platform's own record of what it was asked to do: `["destroy web", ...]`. */
export function calls(fleet: Fleet): string[] {
  const log = path.join(fleet.cloud, 'calls.log')
  return existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []
}

/** What fake-cloud says of a machine: its power state, or undefined once it is gone. */
export function machineFile(fleet: Fleet, machine: string): { status: string } | undefined {
  const file = path.join(fleet.cloud, `${machine}.json`)
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined
}

/** A file a plugin keeps for the machine, and one of its secrets, under the state dir. */
export function machineFiles(fleet: Fleet, machine: string): string[] {
  const id = path.basename(fleet.stateFile, '.json')
  return [
    path.join(fleet.stateDir, 'machines', id, machine, 'disk.img'),
    path.join(fleet.stateDir, 'secrets', id, machine, 'root-password'),
  ]
}

/** Makes fake-cloud fail `method` on `machine`. */
export function failNext(fleet: Fleet, machine: string, method: string): void {
  writeFileSync(path.join(fleet.cloud, `${machine}.fail`), method)
}

export function recorded(fleet: Fleet): Record<string, { resource?: unknown; address?: string }> {
  return JSON.parse(readFileSync(fleet.stateFile, 'utf8')).machines
}
