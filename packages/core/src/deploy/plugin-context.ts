/** The context each plugin call gets: logging and progress become deploy events. */
import { mkdir, readFile, rm } from 'node:fs/promises'
import path from 'node:path'
import type { PluginContext, SecretStore } from '@guix-ops/plugin-api'
import { writeFileAtomic } from '../state/index.js'
import type { DeployEvent } from './types.js'

/** Secrets kept as one 0600 file each under STATE_DIR/secrets/<id>/<machine>/, written atomically. */
function fileSecrets(dir: string): SecretStore {
  const file = (name: string) => {
    if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new Error(`invalid secret name "${name}"`)
    return path.join(dir, name)
  }
  return {
    async get(name) {
      try {
        return await readFile(file(name), 'utf8')
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
        throw error
      }
    },
    async set(name, value) {
      await mkdir(dir, { recursive: true, mode: 0o700 })
      // Replaced whole: a write cut off midway must not leave half a key.
      await writeFileAtomic(file(name), value)
    },
    async delete(name) {
      await rm(file(name), { force: true })
    },
  }
}

export interface ContextOptions {
  stateDir: string
  deployment: { id: string; name: string }
  machine: string
  signal: AbortSignal
  emit: (event: DeployEvent) => void
  /** The host key pinned in state for this machine. */
  hostKey?: string | undefined
  /** The host key pinned in state for this machine's jump host. */
  jumpHostKey?: string | undefined
  /** The config file's directory, where relative paths in options start. */
  configDir?: string | undefined
}

/** Where a machine's plugin files and secrets are kept. */
function machineDirs(stateDir: string, deploymentId: string, machine: string): { files: string; secrets: string } {
  return {
    files: path.join(stateDir, 'machines', deploymentId, machine),
    secrets: path.join(stateDir, 'secrets', deploymentId, machine),
  }
}

/** Removes a machine's plugin files and secrets, once the machine itself is gone. */
export async function removeMachineFiles(stateDir: string, deploymentId: string, machine: string): Promise<void> {
  const dirs = machineDirs(stateDir, deploymentId, machine)
  await rm(dirs.files, { recursive: true, force: true })
  await rm(dirs.secrets, { recursive: true, force: true })
}

export async function pluginContext(options: ContextOptions): Promise<PluginContext> {
  const { stateDir, deployment, machine, emit } = options
  const dirs = machineDirs(stateDir, deployment.id, machine)
  const machineDir = dirs.files
  await mkdir(machineDir, { recursive: true, mode: 0o700 })
  const deploymentDir = path.join(stateDir, 'shared', deployment.id)
  await mkdir(deploymentDir, { recursive: true, mode: 0o700 })
  const log = (level: 'debug' | 'info' | 'warn' | 'error') => (message: string) =>
    emit({ type: 'log', machine, level, message })
  return {
    deployment,
    machine,
    logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
    progress: {
      report: (message, amount) => emit({ type: 'progress', machine, message, ...(amount ?? {}) }),
    },
    signal: options.signal,
    stateDir: machineDir,
    deploymentDir,
    secrets: fileSecrets(dirs.secrets),
    ...(options.hostKey ? { hostKey: options.hostKey } : {}),
    ...(options.jumpHostKey ? { jumpHostKey: options.jumpHostKey } : {}),
    ...(options.configDir ? { configDir: options.configDir } : {}),
  }
}
