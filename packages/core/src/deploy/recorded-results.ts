/** Results of machines deployed before, for machine functions to read when those machines are not redeployed. */
import type { MachineResult } from '@guix-ops/plugin-api'
import type { PluginResolver } from '../registry/index.js'
import type { DeploymentState } from '../state/index.js'
import { pluginContext } from './plugin-context.js'
import type { DeployEvent } from './types.js'

export interface RecordedResultsInput {
  state: DeploymentState
  plugins: PluginResolver
  stateDir: string
  emit: (event: DeployEvent) => void
  signal: AbortSignal
}

export async function recordedResults(
  input: RecordedResultsInput,
  except: ReadonlySet<string> = new Set(),
): Promise<Map<string, MachineResult>> {
  const results = new Map<string, MachineResult>()
  const deployment = { id: input.state.id, name: input.state.name }
  for (const [name, m] of Object.entries(input.state.machines)) {
    if (except.has(name) || m.resource === undefined || m.address === undefined) continue
    const platform = await input.plugins.platform(m.platform)
    const ctx = await pluginContext({
      stateDir: input.stateDir,
      deployment,
      machine: name,
      signal: input.signal,
      emit: input.emit,
    })
    results.set(name, { name, address: m.address, ssh: await platform.ssh(ctx, m.resource), outputs: m.outputs ?? {} })
  }
  return results
}
