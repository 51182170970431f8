/** `reboot`: reboots machines through their platform, and waits for them to answer again. */
import path from 'node:path'
import type { PlatformStatus } from '@guix-ops/plugin-api'
import { pluginContext } from '../deploy/index.js'
import { requireCapability } from '../platforms/index.js'
import { pickDeployment, readConfig, registryFor } from './config-source.js'
import type { EngineContext } from './context.js'
import { findDeployment } from './lookup.js'
import { machineAccess } from './machine-session.js'

export interface RebootResult {
  machine: string
  status?: PlatformStatus
  error?: string
}

export async function rebootMachines(
  ctx: EngineContext,
  options: { deployment: string | undefined; machines?: string[] },
): Promise<RebootResult[]> {
  const state = await findDeployment(ctx, options.deployment)
  const config = await readConfig(ctx, state.configPath)
  const registry = registryFor(ctx, config, pickDeployment(config, state.name), state)
  const access = await machineAccess(ctx, state, options.machines ?? [])
  return Promise.all(
    access.map(async ({ machine, hostKey }): Promise<RebootResult> => {
      const recorded = state.machines[machine]!
      try {
        const platform = await registry.platform(recorded.platform)
        requireCapability(platform, 'reboot', machine)
        const pctx = await pluginContext({
          stateDir: ctx.store.dir,
          deployment: { id: state.id, name: state.name },
          machine,
          signal: new AbortController().signal,
          emit: ctx.emit,
          hostKey,
          configDir: path.dirname(state.configPath),
        })
        await platform.reboot!(pctx, recorded.resource!)
        return { machine, status: await platform.status(pctx, recorded.resource!) }
      } catch (error) {
        return { machine, error: error instanceof Error ? error.message : String(error) }
      }
    }),
  )
}
