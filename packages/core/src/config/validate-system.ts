/**
 * A system driver's own check of the options (the files they name, their
 * syntax), run before any machine is provisioned or contacted. Its error
 * keeps the driver's place (file:line:col) and gains the machine's name.
 */
import { GuixOpsError, isGuixOpsError, type SystemDefinition, type Validation } from '@guix-ops/plugin-api'
import { ErrorCode } from '../codes.js'
import { isPlaceholder } from '../graph/index.js'

export async function validateSystem(
  system: Pick<SystemDefinition, 'name' | 'validate'>,
  options: unknown,
  at: { deployment: string; machine: string; configDir: string },
): Promise<Validation | undefined> {
  if (!system.validate) return undefined
  const ctx = {
    deployment: { name: at.deployment },
    machine: at.machine,
    configDir: at.configDir,
    isPending: isPlaceholder,
  }
  try {
    return await system.validate(ctx, options)
  } catch (error) {
    if (!isGuixOpsError(error)) {
      const reason = error instanceof Error ? error.message : String(error)
      throw new GuixOpsError(
        ErrorCode.SystemValidate,
        `${system.name}: checking machine "${at.machine}" failed: ${reason}`,
        {
          where: { machine: at.machine, plugin: system.name },
          cause: error,
        },
      )
    }
    throw new GuixOpsError(error.code, error.message, {
      where: { ...error.where, machine: at.machine, deployment: at.deployment },
      ...(error.suggestion ? { suggestion: error.suggestion } : {}),
      details: error.details,
      cause: error,
    })
  }
}
