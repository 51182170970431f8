/** Resolve: the machine's config with its dependencies' results, its plugins, and their checked options. */
import path from 'node:path'
import type { MachineEvent } from '@guix-ops/plugin-api'
import { resolveMachine } from '../../graph/index.js'
import { withoutKeys } from '../../keys/index.js'
import { pluginContext } from '../plugin-context.js'
import { validOptions } from '../validate-options.js'
import { announce, type MachineRun, type ResolvedMachine } from './machine.js'

/** Fires `resolveMachine`, which may change the resolved config before anything uses it. */
export async function resolve(run: MachineRun): Promise<ResolvedMachine> {
  const { name, writer } = run
  const deployment = { id: writer.state.id, name: writer.state.name }
  const event: MachineEvent = { deployment, machine: name }
  announce(run, 'resolve', 'resolving its config')
  const resolved = await (run.resolveMachine ?? resolveMachine)(name, run.definition, Object.fromEntries(run.results))
  // Keys come off before any hook or plugin sees the machine.
  const configDir = path.dirname(writer.state.configPath)
  const { spec: bare, keys } = await withoutKeys(name, resolved, configDir, run.keys)
  const spec = await run.hooks.resolveMachine.promise(bare, event)
  const platform = await run.plugins.platform(spec.platform.type)
  const system = await run.plugins.system(spec.system.type)
  const platformOptions = await validOptions(platform.options, spec.platform, `machines.${name}.platform`, name)
  const systemOptions = await validOptions(system.options, spec.system, `machines.${name}.system`, name)
  const recorded = writer.machine(name)
  const ctx = await pluginContext({
    stateDir: run.stateDir,
    deployment,
    machine: name,
    signal: run.signal,
    emit: run.emit,
    hostKey: recorded?.hostKey,
    jumpHostKey: recorded?.jumpHostKey,
    configDir,
  })
  return { event, platform, system, platformOptions, systemOptions, recorded, ctx, keys }
}
