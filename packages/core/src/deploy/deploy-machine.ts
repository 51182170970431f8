/**
 * One machine's way through a deploy: resolve its config with the results
 * of the machines it depends on, provision it, connect and verify its host
 * key, plan, apply, confirm, and record every step in state as it happens.
 */

import path from 'node:path'
import type {
  LifecycleHooks,
  MachineDefinition,
  MachineEvent,
  MachineResult,
  PlatformDefinition,
  SshEndpoint,
  SystemContext,
  SystemDefinition,
} from '@guix-ops/plugin-api'
import { validateSystem } from '../config/validate-system.js'
import { resolveMachine } from '../graph/index.js'
import { deployKeys, type LoadedKey, plannedKeys, withoutKeys } from '../keys/index.js'
import type { PluginResolver } from '../registry/index.js'
import { connectSsh, endpointTarget, type SshSession } from '../ssh/index.js'
import { stepFailed } from './failure.js'
import { describeMismatch, generationMismatch, withHostGeneration } from './host-generation.js'
import { pluginContext } from './plugin-context.js'
import type { StateWriter } from './state-writer.js'
import type { DeployEvent, MachineOutcome } from './types.js'
import { validOptions } from './validate-options.js'

export interface MachineRun {
  name: string
  definition: MachineDefinition
  /** Results of machines deployed so far in this run (and recorded before it). */
  results: Map<string, MachineResult>
  plugins: PluginResolver
  hooks: LifecycleHooks
  writer: StateWriter
  stateDir: string
  dryRun: boolean
  /** `deploy --take-over`: the driver may manage a host that others manage already. */
  takeOver: boolean
  signal: AbortSignal
  emit: (event: DeployEvent) => void
  /** The machine's deployment keys, when read before the run started. */
  keys?: LoadedKey[] | undefined
}

/** Records the keys a session was verified against, where none was pinned yet. */
async function pinHostKeys(writer: StateWriter, name: string, session: SshSession): Promise<void> {
  const pinned = writer.machine(name)
  const hostKey = pinned?.hostKey ? {} : { hostKey: session.hostKey }
  const jumpHostKey = pinned?.jumpHostKey || !session.jumpHostKey ? {} : { jumpHostKey: session.jumpHostKey }
  if (Object.keys({ ...hostKey, ...jumpHostKey }).length === 0) return
  await writer.update(name, (m) => ({ ...m!, ...hostKey, ...jumpHostKey }))
}

export async function deployMachine(run: MachineRun): Promise<MachineOutcome> {
  const { name, writer, emit } = run
  const deployment = { id: writer.state.id, name: writer.state.name }
  const event: MachineEvent = { deployment, machine: name }
  const step = (s: 'resolve' | 'provision' | 'connect' | 'plan' | 'apply', message: string) =>
    emit({ type: 'step', machine: name, step: s, message })

  step('resolve', 'resolving its config')
  const resolved = resolveMachine(name, run.definition, Object.fromEntries(run.results))
  const { spec: bare, keys } = await withoutKeys(name, resolved, path.dirname(writer.state.configPath), run.keys)
  let spec = bare
  spec = await run.hooks.resolveMachine.promise(spec, event)
  const platform: PlatformDefinition = await run.plugins.platform(spec.platform.type)
  const system: SystemDefinition = await run.plugins.system(spec.system.type)
  const platformOptions = await validOptions(platform.options, spec.platform, `machines.${name}.platform`, name)
  const systemOptions = await validOptions(system.options, spec.system, `machines.${name}.system`, name)
  const recorded = writer.machine(name)
  const ctx = await pluginContext({
    stateDir: run.stateDir,
    deployment,
    machine: name,
    signal: run.signal,
    emit,
    hostKey: recorded?.hostKey,
    jumpHostKey: recorded?.jumpHostKey,
    configDir: path.dirname(writer.state.configPath),
  })

  if (run.dryRun && recorded?.resource === undefined) {
    // Nothing to plan against yet: the driver reads what it can here, and says how it would go about it.
    const validation = await validateSystem(system, systemOptions, {
      deployment: deployment.name,
      machine: name,
      configDir: ctx.configDir ?? path.dirname(writer.state.configPath),
    })
    const how = validation?.summary ? `: ${validation.summary}` : ''
    // Dependents see a stand-in address.
    run.results.set(name, {
      name,
      address: `(address of ${name} once created)`,
      ssh: { host: '', port: 0, user: '' },
      outputs: {},
    })
    // What the platform would make for it (instances, groups, keys), when it can say.
    const made = platform.plan ? await platform.plan(ctx, { name, options: platformOptions }) : []
    return {
      machine: name,
      status: 'planned',
      changes: [
        { action: 'create', subject: `machine ${name}`, detail: `${platform.name} / ${system.name}${how}` },
        ...made,
      ],
    }
  }

  step('provision', `${platform.name}: ${recorded?.resource ? 'checking' : 'creating'} the machine`)
  await run.hooks.beforeProvision.promise(event)
  let provisioned: Awaited<ReturnType<PlatformDefinition['provision']>>
  let endpoint: SshEndpoint
  try {
    provisioned = run.dryRun
      ? { resource: recorded!.resource!, address: recorded!.address ?? '', outputs: recorded!.outputs ?? {} }
      : await platform.provision(ctx, {
          name,
          options: platformOptions,
          ...(recorded?.resource ? { existing: recorded.resource } : {}),
        })
    endpoint = await platform.ssh(ctx, provisioned.resource)
  } catch (error) {
    throw stepFailed(platform.name, 'provision', name, error)
  }
  if (!run.dryRun) {
    await writer.update(name, (m) => ({
      ...m,
      platform: platform.name,
      system: system.name,
      resource: provisioned.resource,
      address: provisioned.address,
      outputs: provisioned.outputs ?? {},
    }))
  }
  const result: MachineResult = {
    name,
    address: provisioned.address,
    ssh: endpoint,
    outputs: provisioned.outputs ?? {},
  }
  run.results.set(name, result)
  await run.hooks.afterProvision.promise(event, result)

  step('connect', `connecting to ${endpoint.user}@${endpoint.host}:${endpoint.port}`)
  await run.hooks.beforeConnect.promise(event)
  // Pinned keys win over what the platform says; a machine behind a jump host is only reached through it.
  const target = () =>
    endpointTarget(
      endpoint,
      writer.machine(name)?.hostKey ?? endpoint.hostKey,
      writer.machine(name)?.jumpHostKey ?? endpoint.jump?.hostKey,
    )
  let session: SshSession
  try {
    session = await connectSsh(target(), {
      label: { deployment: deployment.name, machine: name },
      signal: run.signal,
    })
  } catch (error) {
    throw stepFailed('ssh', 'connect', name, error)
  }
  try {
    // The keys seen on first contact (or the ones the platform vouched for) are pinned in state.
    if (!run.dryRun) await pinHostKeys(writer, name, session)
    await run.hooks.afterConnect.promise(event)
    const systemCtx: SystemContext = { ...ctx, host: session, ...(run.takeOver ? { takeOver: true } : {}) }
    await followHostGeneration(run, system, systemCtx)
    const inForce = writer.machine(name)

    step('plan', `${system.name}: planning`)
    let plan = await system.plan(systemCtx, systemOptions).catch((error: unknown) => {
      throw stepFailed(system.name, 'plan', name, error)
    })
    plan = await run.hooks.afterPlan.promise(plan, event)
    if (run.dryRun)
      return {
        machine: name,
        status: 'planned',
        changes: [...plan.changes, ...(await plannedKeys(run, session, keys))],
      }
    // With nothing to activate, keys meant for after activation go now too.
    await deployKeys(run, session, keys, plan.changes.length === 0 ? 'all' : 'pre-activation')
    if (plan.changes.length === 0) return { machine: name, status: 'unchanged', changes: [] }

    step('apply', `${system.name}: applying ${plan.changes.length} change(s)`)
    await run.hooks.beforeActivate.promise(event, plan)
    const generation = await system.apply(systemCtx, systemOptions, plan).catch((error: unknown) => {
      throw stepFailed(system.name, 'apply', name, error)
    })
    await writer.update(name, (m) => ({
      ...m!,
      currentGeneration: generation.number,
      generations: [
        ...(m?.generations ?? []).filter((g) => g.number !== generation.number),
        {
          number: generation.number,
          createdAt: generation.createdAt,
          ...(generation.description ? { description: generation.description } : {}),
        },
      ],
    }))
    // Confirm: a fresh connection must still work after activation; then the
    // driver disarms the rollback it may have armed on the target.
    let confirm: SshSession
    try {
      confirm = await connectSsh(target(), {
        label: { deployment: deployment.name, machine: name },
        signal: run.signal,
        readyTimeout: 15_000,
      })
    } catch (error) {
      const previous = inForce?.currentGeneration ?? inForce?.generations?.at(-1)?.number
      await writer.update(name, (m) => ({ ...m!, ...(previous ? { currentGeneration: previous } : {}) }))
      const undo = system.confirm
        ? '; the host restores its previous files by itself once its confirmation timer runs out'
        : ''
      throw stepFailed(system.name, 'confirm after activation', name, new Error(`${(error as Error).message}${undo}`))
    }
    try {
      await system.confirm?.({ ...ctx, host: confirm })
    } finally {
      confirm.close()
    }
    await deployKeys(run, session, keys, 'post-activation')
    await run.hooks.afterActivate.promise(event, generation)
    return { machine: name, status: 'changed', changes: plan.changes, generation }
  } finally {
    session.close()
  }
}

/** Before planning, the state follows the host's own record of its generation in force, and says so. */
async function followHostGeneration(run: MachineRun, system: SystemDefinition, ctx: SystemContext): Promise<void> {
  const mismatch = await generationMismatch(system, ctx, run.writer.machine(run.name)).catch((error: unknown) => {
    throw stepFailed(system.name, 'reading the generation in force', run.name, error)
  })
  if (!mismatch) return
  run.emit({
    type: 'log',
    machine: run.name,
    level: 'warn',
    message: describeMismatch(run.name, mismatch, !run.dryRun),
  })
  if (!run.dryRun) await run.writer.update(run.name, (m) => withHostGeneration(m!, mismatch))
}
