/**
 * Opens an SSH session to one recorded machine of a deployment, verified
 * against its pinned host key, for `ssh`, `ssh-for-each` and `scp`.
 */
import path from 'node:path'
import { GuixOpsError, type SshEndpoint, type SystemContext } from '@guix-ops/plugin-api'
import { ErrorCode } from '../codes.js'
import { pluginContext } from '../deploy/plugin-context.js'
import { connectSsh, endpointTarget, type SshSession, type SshTarget } from '../ssh/index.js'
import type { DeploymentState } from '../state/index.js'
import { pickDeployment, readConfig, registryFor } from './config-source.js'
import type { EngineContext } from './context.js'

export interface MachineAccess {
  machine: string
  endpoint: SshEndpoint
  /** The pinned key the session was verified against. */
  hostKey: string | undefined
  /** The pinned key of the jump host the machine is reached through, if any. */
  jumpHostKey: string | undefined
  target: SshTarget
}

/** How to reach each named machine (all recorded ones when `machines` is empty). */
export async function machineAccess(
  ctx: EngineContext,
  state: DeploymentState,
  machines: readonly string[],
): Promise<MachineAccess[]> {
  const names =
    machines.length > 0 ? [...machines] : Object.keys(state.machines).filter((m) => state.machines[m]?.resource)
  const config = await readConfig(ctx, state.configPath)
  const registry = registryFor(ctx, config, pickDeployment(config, state.name), state)
  const access: MachineAccess[] = []
  for (const name of names) {
    const recorded = state.machines[name]
    if (!recorded) {
      throw new GuixOpsError(ErrorCode.Usage, `deployment "${state.name}" has no machine "${name}"`, {
        suggestion: `machines: ${Object.keys(state.machines).join(', ')}`,
      })
    }
    if (!recorded.resource) {
      throw new GuixOpsError(ErrorCode.NotDeployed, `machine "${name}" has not been deployed yet`, {
        where: { deployment: state.name, machine: name },
        suggestion: `run "guix-ops deploy -d ${state.name} --include ${name}" first`,
      })
    }
    const platform = await registry.platform(recorded.platform)
    const pctx = await pluginContext({
      stateDir: ctx.store.dir,
      deployment: { id: state.id, name: state.name },
      machine: name,
      signal: new AbortController().signal,
      emit: ctx.emit,
      hostKey: recorded.hostKey,
      jumpHostKey: recorded.jumpHostKey,
    })
    const endpoint = await platform.ssh(pctx, recorded.resource)
    const hostKey = recorded.hostKey ?? endpoint.hostKey
    const jumpHostKey = recorded.jumpHostKey ?? endpoint.jump?.hostKey
    access.push({
      machine: name,
      endpoint,
      hostKey,
      jumpHostKey,
      target: endpointTarget(endpoint, hostKey, jumpHostKey),
    })
  }
  return access
}

/** Refuses a machine (or its jump host) with no pinned key: these commands never pin one themselves. */
export function requirePinnedKeys(deployment: string, access: MachineAccess): void {
  let missing: string | undefined
  if (!access.hostKey) missing = 'host key'
  else if (access.endpoint.jump && !access.jumpHostKey) missing = 'host key for its jump host'
  if (!missing) return
  throw new GuixOpsError(ErrorCode.SshNoHostKey, `machine "${access.machine}" has no pinned ${missing}`, {
    where: { deployment, machine: access.machine },
    suggestion: `run "guix-ops deploy -d ${deployment} --include ${access.machine}" to pin it`,
  })
}

export async function openSession(state: DeploymentState, access: MachineAccess): Promise<SshSession> {
  requirePinnedKeys(state.name, access)
  return connectSsh(access.target, { label: { deployment: state.name, machine: access.machine } })
}

/** Runs `work` with a system context over a fresh, verified session to one machine, then closes it. */
export async function withSystemContext<T>(
  ctx: EngineContext,
  state: DeploymentState,
  access: MachineAccess,
  work: (systemCtx: SystemContext) => Promise<T>,
): Promise<T> {
  requirePinnedKeys(state.name, access)
  const session = await connectSsh(access.target, {
    label: { deployment: state.name, machine: access.machine },
  })
  try {
    const pctx = await pluginContext({
      stateDir: ctx.store.dir,
      deployment: { id: state.id, name: state.name },
      machine: access.machine,
      signal: new AbortController().signal,
      emit: ctx.emit,
      hostKey: access.hostKey,
      jumpHostKey: access.jumpHostKey,
      configDir: path.dirname(state.configPath),
    })
    return await work({ ...pctx, host: session })
  } finally {
    session.close()
  }
}
