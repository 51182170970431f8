/** `create`: registers a deployment from a config file under a new id. */
import { randomUUID } from 'node:crypto'
import { GuixOpsError } from '@guix-ops/plugin-api'
import { ErrorCode } from '../codes.js'
import { type DeploymentState, STATE_KIND, STATE_VERSION } from '../state/index.js'
import { analyzeConfig, pickDeployment, readConfig } from './config-source.js'
import type { EngineContext } from './context.js'
import { reconcileMachines } from './machines-state.js'
import { withLock } from './with-lock.js'

export async function createDeployment(
  ctx: EngineContext,
  options: { config?: string; name?: string },
): Promise<DeploymentState> {
  // The name is needed before the lock; the full check runs under it.
  const name = options.name ?? pickDeployment(await readConfig(ctx, options.config), undefined).definition.name
  return withLock(ctx, name, async () => {
    const { config, analysis } = await analyzeConfig(ctx, options.config, name)
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
