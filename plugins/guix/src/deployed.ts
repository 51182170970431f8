/**
 * What the last deploy left on the target (deployed.json in the machine's
 * directory): the system it activated and the hash of what was uploaded.
 * `plan` compares against it; `check` reports drift from it.
 */
import type { SystemContext } from '@guix-ops/plugin-api'
import { CURRENT_SYSTEM, type Layout } from './layout.js'

export interface DeployedRecord {
  storePath: string
  hash: string
  generation: number
  deployedAt: string
}

export async function readDeployed(ctx: SystemContext, layout: Layout): Promise<DeployedRecord | undefined> {
  const result = await ctx.host.exec(['cat', layout.deployed])
  if (result.code !== 0) return undefined
  try {
    return JSON.parse(result.stdout) as DeployedRecord
  } catch {
    return undefined
  }
}

export async function writeDeployed(ctx: SystemContext, layout: Layout, record: DeployedRecord): Promise<void> {
  await ctx.host.upload(layout.deployed, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 })
}

/** The store path of the running system. */
export async function runningSystem(ctx: SystemContext): Promise<string> {
  const result = await ctx.host.exec(['readlink', '-f', CURRENT_SYSTEM])
  return result.code === 0 ? result.stdout.trim() : ''
}

/** Keeps the current record beside the new one, for the host's automatic rollback to put back. */
export async function keepPreviousDeployed(ctx: SystemContext, layout: Layout): Promise<void> {
  const keep = 'if [ -f "$1" ]; then cp "$1" "$2"; else rm -f "$2"; fi'
  await ctx.host.exec(['sh', '-c', keep, 'sh', layout.deployed, layout.previousDeployed])
}
