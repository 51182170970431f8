/**
 * The lifecycle hooks of plugin-api's contract, made real with tapable.
 * Every tap is wrapped so that a failure names the tap (the plugin) and the
 * machine: `chat-notify: afterActivate of machine "db" failed: ...`.
 */
import {
  type DeploymentSummary,
  type Generation,
  GuixOpsError,
  type HookPlugin,
  isGuixOpsError,
  LIFECYCLE_HOOKS,
  type LifecycleHookName,
  type LifecycleHooks,
  type MachineEvent,
  type MachineResult,
  type MachineSpec,
  type SystemPlan,
} from '@guix-ops/plugin-api'
import { AsyncSeriesHook, AsyncSeriesWaterfallHook } from 'tapable'
import { ErrorCode } from '../codes.js'

export const HOOK_FAILED: typeof ErrorCode.HookFailed = ErrorCode.HookFailed

/** Which argument of each hook is the MachineEvent, so errors can name the machine. */
const EVENT_ARGUMENT: Record<LifecycleHookName, number | undefined> = {
  resolveMachine: 1,
  beforeProvision: 0,
  afterProvision: 0,
  beforeConnect: 0,
  afterConnect: 0,
  afterPlan: 1,
  beforeActivate: 0,
  afterActivate: 0,
  machineFailed: 0,
  deploymentFinished: undefined,
}

function machineOf(args: unknown[], index: number | undefined): string | undefined {
  if (index === undefined) return undefined
  const event = args[index] as { machine?: unknown } | undefined
  return typeof event?.machine === 'string' ? event.machine : undefined
}

function failure(hook: LifecycleHookName, tap: string, machine: string | undefined, error: unknown): GuixOpsError {
  const reason = error instanceof Error ? error.message : String(error)
  const target = machine === undefined ? '' : ` of machine "${machine}"`
  return new GuixOpsError(
    isGuixOpsError(error) ? error.code : HOOK_FAILED,
    `${tap}: ${hook}${target} failed: ${reason}`,
    {
      where: { plugin: tap, ...(machine === undefined ? {} : { machine }) },
      cause: error,
    },
  )
}

export function createLifecycleHooks(): LifecycleHooks {
  const hooks: LifecycleHooks = {
    resolveMachine: new AsyncSeriesWaterfallHook<[MachineSpec, MachineEvent]>(['spec', 'event']),
    beforeProvision: new AsyncSeriesHook<[MachineEvent]>(['event']),
    afterProvision: new AsyncSeriesHook<[MachineEvent, MachineResult]>(['event', 'result']),
    beforeConnect: new AsyncSeriesHook<[MachineEvent]>(['event']),
    afterConnect: new AsyncSeriesHook<[MachineEvent]>(['event']),
    afterPlan: new AsyncSeriesWaterfallHook<[SystemPlan, MachineEvent]>(['plan', 'event']),
    beforeActivate: new AsyncSeriesHook<[MachineEvent, SystemPlan]>(['event', 'plan']),
    afterActivate: new AsyncSeriesHook<[MachineEvent, Generation]>(['event', 'generation']),
    machineFailed: new AsyncSeriesHook<[MachineEvent, Error]>(['event', 'error']),
    deploymentFinished: new AsyncSeriesHook<[DeploymentSummary]>(['summary']),
  }
  for (const name of LIFECYCLE_HOOKS) {
    const hook = hooks[name] as unknown as AsyncSeriesHook<unknown[]>
    hook.intercept({
      register(tap) {
        const original = tap.fn as (...args: unknown[]) => unknown
        const named = (args: unknown[], error: unknown) =>
          failure(name, tap.name, machineOf(args, EVENT_ARGUMENT[name]), error)
        if (tap.type === 'promise') {
          tap.fn = async (...args: unknown[]) => {
            try {
              return await original(...args)
            } catch (error) {
              throw named(args, error)
            }
          }
        } else if (tap.type === 'async') {
          tap.fn = (...args: unknown[]) => {
            const done = args.pop() as (error?: unknown, result?: unknown) => void
            original(...args, (error?: unknown, result?: unknown) =>
              error ? done(named(args, error)) : done(null, result),
            )
          }
        } else {
          tap.fn = (...args: unknown[]) => {
            try {
              return original(...args)
            } catch (error) {
              throw named(args, error)
            }
          }
        }
        return tap
      },
    })
  }
  return hooks
}

/** Lets each plugin tap the hooks; a plugin whose `apply` throws is reported by name. */
export function applyHookPlugins(hooks: LifecycleHooks, plugins: readonly HookPlugin[]): void {
  for (const plugin of plugins) {
    try {
      plugin.apply(hooks)
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error)
      throw new GuixOpsError(HOOK_FAILED, `${plugin.name}: tapping the lifecycle hooks failed: ${reason}`, {
        where: { plugin: plugin.name },
        cause: error,
      })
    }
  }
}
