/** Validates a resolved machine's options with the plugin's schema, now with real values. */
import { GuixOpsError, type StandardSchemaV1 } from '@guix-ops/plugin-api'
import { ErrorCode } from '../codes.js'
import { describeIssue } from '../config/schema-issues.js'

export async function validOptions<T>(
  schema: StandardSchemaV1<unknown, T>,
  ref: { type: string; [k: string]: unknown },
  at: string,
  machine: string,
): Promise<T> {
  const { type: _type, ...options } = ref
  const result = await schema['~standard'].validate(options)
  if (!result.issues) return result.value
  const messages = result.issues.map((issue) => {
    const { path, message } = describeIssue(at, issue, options)
    return `${path}: ${message}`
  })
  throw new GuixOpsError(ErrorCode.ConfigField, messages.join('; '), { where: { machine, path: at } })
}
