/**
 * `upload-keys`: sends machines their deployment keys again, without a
 * deploy: after a reboot emptied /run/keys, or to rotate a key. Every key
 * is read first, so a bad source stops it before any host is contacted;
 * then only keys a host lacks or holds another value of are sent.
 */
import path from 'node:path'
import { stopWatchdog } from '../config/index.js'
import { recordedResults, StateWriter } from '../deploy/index.js'
import { deployKeys, type LoadedKey, withoutKeys } from '../keys/index.js'
import { analyzeConfig, boundedResolver } from './config-source.js'
import type { EngineContext } from './context.js'
import { machineAccess, openSession } from './machine-session.js'
import { chooseMachines, failureOf, type MachineFailure } from './platform-call.js'
import { withDeployment } from './with-lock.js'

export interface KeyUploadResult extends MachineFailure {
  machine: string
  /** Keys sent now (missing on the host, or another value, owner or mode). */
  sent?: string[]
  /** Keys removed: they left the config. */
  removed?: string[]
  /** Keys the host already had as they are. */
  current?: string[]
}

export async function uploadKeys(
  ctx: EngineContext,
  options: { deployment: string | undefined; machines?: string[] },
): Promise<KeyUploadResult[]> {
  return withDeployment(ctx, options.deployment, async (state) => {
    const machines = chooseMachines(state, options.machines ?? [], { deployed: true })
    const { config, deployment, registry } = await analyzeConfig(ctx, state.configPath, state.name, state)
    const signal = new AbortController().signal
    const results = Object.fromEntries(
      await recordedResults({ state, plugins: registry, stateDir: ctx.store.dir, emit: ctx.emit, signal }),
    )
    const configDir = path.dirname(state.configPath)
    const resolveMachine = boundedResolver(ctx, config)
    const keys = new Map<string, LoadedKey[]>()
    for (const name of machines) {
      const definition = deployment.definition.machines[name]
      const spec = definition
        ? await resolveMachine(name, definition, results)
        : { platform: { type: '' }, system: { type: '' } }
      keys.set(name, (await withoutKeys(name, spec, configDir, undefined)).keys)
    }
    stopWatchdog()
    const access = await machineAccess(ctx, state, machines)
    const writer = new StateWriter(ctx.store, state)
    const outcomes = await Promise.all(
      access.map(async (machine): Promise<KeyUploadResult> => {
        const name = machine.machine
        try {
          const session = await openSession(state, machine)
          try {
            const sync = await deployKeys({ name, writer, emit: ctx.emit }, session, keys.get(name)!, 'all')
            const current = keys
              .get(name)!
              .map((k) => k.name)
              .filter((k) => !sync.sent.includes(k))
            return { machine: name, sent: sync.sent, removed: sync.removed, current }
          } finally {
            session.close()
          }
        } catch (error) {
          return { machine: name, ...failureOf(error) }
        }
      }),
    )
    await writer.flush()
    return outcomes
  })
}
