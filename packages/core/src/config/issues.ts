/** Collects config errors so that all of them are shown together, not one per run. */
import { GuixOpsError } from '@guix-ops/plugin-api'
import { ErrorCode } from '../codes.js'

export class IssueList {
  readonly errors: GuixOpsError[] = []

  constructor(readonly file: string) {}

  /** A problem with the field at `path`: reads `path: problem`. */
  field(path: string, problem: string, options: { code?: string; suggestion?: string; machine?: string } = {}): void {
    const where = { file: this.file, path, ...(options.machine ? { machine: options.machine } : {}) }
    const suggestion = options.suggestion ? { suggestion: options.suggestion } : {}
    this.errors.push(
      new GuixOpsError(options.code ?? ErrorCode.ConfigField, path ? `${path}: ${problem}` : problem, {
        where,
        ...suggestion,
      }),
    )
  }

  add(...errors: GuixOpsError[]): void {
    this.errors.push(...errors)
  }

  /** Throws every collected error at once, as one E_CONFIG_INVALID. */
  throwIfAny(): void {
    if (this.errors.length === 0) return
    if (this.errors.length === 1) throw this.errors[0]
    throw new GuixOpsError(ErrorCode.ConfigInvalid, `${this.file}: ${this.errors.length} errors in the config`, {
      where: { file: this.file },
      details: this.errors,
    })
  }
}
