/** Every failure of a machine reads `plugin: step of machine "x" failed: reason`. */
import { GuixOpsError, isGuixOpsError } from '@guix-ops/plugin-api'
import { ErrorCode } from '../codes.js'

export function stepFailed(plugin: string, step: string, machine: string, error: unknown): GuixOpsError {
  const reason = error instanceof Error ? error.message : String(error)
  if (isGuixOpsError(error) && (error.where?.machine === machine || reason.startsWith(`${plugin}: `))) {
    return error // already names its place
  }
  return new GuixOpsError(
    isGuixOpsError(error) ? error.code : ErrorCode.DeployStep,
    `${plugin}: ${step} of machine "${machine}" failed: ${reason}`,
    {
      where: { machine, plugin },
      ...(isGuixOpsError(error) && error.suggestion ? { suggestion: error.suggestion } : {}),
      cause: error,
    },
  )
}
