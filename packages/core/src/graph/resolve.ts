/** Evaluates a machine with the real results of the machines it depends on. */
import { GuixOpsError, type MachineDefinition, type MachineResults, type MachineSpec } from '@guix-ops/plugin-api'
import { ErrorCode } from '../codes.js'

/** What a value is, in words, for an error message. */
function kindOf(value: unknown): string {
  if (value === null) return 'null'
  return Array.isArray(value) ? 'an array' : typeof value
}

/** How a deploy or a check gets a machine's config from the results of the machines it reads. */
export type MachineResolver = typeof resolveMachine

/** Calls a machine's function with `results`; a promise it returns is awaited, so a caller can bound the wait. */
export async function resolveMachine(
  name: string,
  definition: MachineDefinition,
  results: MachineResults,
): Promise<MachineSpec> {
  if (typeof definition !== 'function') return definition
  const guarded = new Proxy(Object.freeze({ ...results }), {
    get(target, key) {
      if (typeof key === 'string' && key !== 'then' && !(key in target)) {
        throw new GuixOpsError(
          ErrorCode.MissingDependency,
          `machine "${name}" read "${key}", which has no result yet`,
          {
            where: { machine: name },
            suggestion: `declare needs: ['${key}'] if it must be deployed first`,
          },
        )
      }
      return Reflect.get(target, key)
    },
  })
  let spec: unknown
  try {
    spec = await definition(guarded)
  } catch (error) {
    if (error instanceof GuixOpsError) throw error
    throw new GuixOpsError(
      ErrorCode.MachineFunction,
      `machine "${name}": its function threw: ${(error as Error)?.message ?? String(error)}`,
      {
        where: { machine: name },
        cause: error,
      },
    )
  }
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
    throw new GuixOpsError(
      ErrorCode.MachineFunction,
      `machine "${name}": its function returned ${kindOf(spec)}, expected a machine ({ platform, system })`,
      { where: { machine: name } },
    )
  }
  return spec as MachineSpec
}
