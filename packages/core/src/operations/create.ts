/** `create`: registers a deployment from a config file under a new id. */
import { randomUUID } from 'node:crypto'
import { GuixOpsError } from '@guix-ops/plugin-api'
import { ErrorCode } from '../codes.js'
import { type DeploymentState, STATE_KIND, STATE_VERSION } from '../state/index.js'
import { analyzeConfig, pickDeployment, readConfig } from './config-source.js'
import type { EngineContext } from './context.js'
import { reconcileMachines } from './machines-state.js'
import { withLock } from './with-lock.js'

/**
 * A state file that cannot be read may be this very deployment: creating it
 * again would record a second one of that name, without its machines or
 * pinned host keys. Files that are plainly not ours, or legibly name
 * another deployment, do not count.
 */
async function refuseOverUnreadableState(ctx: EngineContext, name: string): Promise<void> {
  const { problems } = await ctx.store.list()
  const suspect = problems.find(
    (p) => p.error.code !== ErrorCode.StateForeign && (p.name === undefined || p.name === name),
  )
  if (!suspect) return
  const holds = suspect.name === name ? `it holds a deployment named "${name}"` : 'it may hold that deployment'
  throw new GuixOpsError(suspect.error.code, `cannot create deployment "${name}": ${suspect.error.message}; ${holds}`, {
    where: { file: suspect.file, deployment: name },
    suggestion: `repair that file, or move it out of ${ctx.store.dir} and restore the deployment with "guix-ops import FILE" from an export; creating it anew would forget its machines and pinned host keys`,
  })
}

export async function createDeployment(
  ctx: EngineContext,
  options: { config?: string; name?: string },
): Promise<DeploymentState> {
  // The name is needed before the lock; the full check runs under it, on the config as read once.
  const read = options.name === undefined ? await readConfig(ctx, options.config) : undefined
  const name = options.name ?? pickDeployment(read!, undefined).definition.name
  return withLock(ctx, name, async () => {
    const { config, analysis } = await analyzeConfig(ctx, options.config, name, undefined, read)
    const existing = await ctx.store.find(name)
    if (existing) {
      throw new GuixOpsError(
        ErrorCode.DeploymentExists,
        `a deployment named "${name}" already exists (id ${existing.id})`,
        {
          where: { deployment: name },
          suggestion: `use "guix-ops modify -d ${name} --config ${config.file}" to point it at this config`,
        },
      )
    }
    await refuseOverUnreadableState(ctx, name)
    const now = new Date().toISOString()
    const state: DeploymentState = {
      kind: STATE_KIND,
      version: STATE_VERSION,
      id: randomUUID(),
      name,
      configPath: config.file,
      ...(analysis.description ? { description: analysis.description } : {}),
      createdAt: now,
      updatedAt: now,
      machines: reconcileMachines({}, analysis),
    }
    await ctx.store.write(state)
    return state
  })
}
