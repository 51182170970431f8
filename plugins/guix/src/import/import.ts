/**
 * `guix-ops import-guix-deploy`: a `guix deploy` file becomes a guix-ops
 * config with one `managed` machine and `guix` system per machine record,
 * keeping host names, ports, users, identities, host keys and the deploy
 * options; what cannot be carried over is listed, not dropped silently. Everything is
 * read and checked before anything is written, and nothing is overwritten.
 */
import { existsSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { GuixOpsError } from '@guix-ops/plugin-api'
import { GuixError } from '../codes.js'
import { readSchemeFiles } from '../scheme/read.js'
import { deployMachines } from './deploy-file.js'
import { machineNames } from './machine-names.js'
import { configSource, type ImportedMachine, machineScm } from './write-config.js'

const DEPLOYMENT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/

export interface ImportGuixDeployOptions {
  /** The guix deploy file. */
  file: string
  /** The config to write [default: guix-ops.config.ts next to the deploy file]. */
  out?: string
  /** The deployment's name [default: the deploy file's name]. */
  name?: string
  /** Replace files that exist. */
  force?: boolean
}

export interface ImportGuixDeployResult {
  deployment: string
  config: string
  /** Every file written: the config and one .scm per machine. */
  files: string[]
  machines: { name: string; host: string; port: number; user: string; system: string; config: string }[]
  /** Fields of the deploy file that the config does not carry as guix deploy means them, and why. */
  notMapped: { machine: string; field: string; at: string; why: string }[]
}

export async function importGuixDeploy(options: ImportGuixDeployOptions): Promise<ImportGuixDeployResult> {
  const file = path.resolve(options.file)
  if (!existsSync(file))
    throw new GuixOpsError(GuixError.Import, `${options.file}: no such file`, { where: { file: options.file } })
  const name = options.name ?? path.basename(file).replace(/\.scm$/, '')
  if (!DEPLOYMENT_NAME.test(name))
    throw new GuixOpsError(GuixError.Import, `"${name}" cannot be a deployment name`, {
      suggestion: 'pass --name with letters, digits, ".", "_" and "-"',
    })
  const [data] = await readSchemeFiles([file])
  const machines = deployMachines(file, data ?? [])
  const out = path.resolve(options.out ?? path.join(path.dirname(file), 'guix-ops.config.ts'))
  const stem = path.basename(file).replace(/\.scm$/, '')
  const imported: ImportedMachine[] = machineNames(machines).map((machineName, i) => {
    const scm = path.join(path.dirname(file), `${stem}-${machineName}.scm`)
    const relative = path.relative(path.dirname(out), scm).split(path.sep).join('/')
    return { name: machineName, machine: machines[i]!, config: relative.startsWith('.') ? relative : `./${relative}` }
  })
  const writes = new Map<string, string>([
    ...imported.map((m): [string, string] => [
      path.resolve(path.dirname(out), m.config),
      machineScm(file, m.machine.hostName),
    ]),
    [out, configSource(file, name, imported)],
  ])
  const existing = [...writes.keys()].filter((f) => existsSync(f))
  if (existing.length > 0 && !options.force)
    throw new GuixOpsError(GuixError.ImportExists, `would overwrite ${existing.join(', ')}`, {
      where: { file: existing[0]! },
      suggestion: 'pass --out with another file, or --force to replace them',
    })
  for (const [target, content] of writes) writeFileSync(target, content)
  return {
    deployment: name,
    config: out,
    files: [...writes.keys()],
    machines: imported.map((m) => ({
      name: m.name,
      host: m.machine.hostName,
      port: m.machine.port,
      user: m.machine.user,
      system: m.machine.system,
      config: m.config,
    })),
    notMapped: imported.flatMap((m) =>
      m.machine.notMapped.map((n) => ({ machine: m.name, field: n.field, at: `${file}:${n.at}`, why: n.why })),
    ),
  }
}
