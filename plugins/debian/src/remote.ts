/** Running a step on the host and failing, with its output, when it fails. */
import { type ExecResult, GuixOpsError, type RemoteHost } from '@guix-ops/plugin-api'
import { DebianError } from './codes.js'

/** apt never asks, and needrestart (if installed) restarts what it must without asking either. */
export const APT_ENV: string[] = ['env', 'DEBIAN_FRONTEND=noninteractive', 'NEEDRESTART_MODE=a']

export async function must(host: RemoteHost, argv: string[], what: string): Promise<void> {
  await mustRun(host, argv, what)
}

/** Like `must`, with the command's output for the caller. */
export async function mustRun(host: RemoteHost, argv: string[], what: string): Promise<ExecResult> {
  const result = await host.exec(argv)
  if (result.code !== 0) {
    const detail = (result.stderr || result.stdout).trim().split('\n').slice(-4).join(' | ')
    throw new GuixOpsError(DebianError.Apply, `debian: ${what} failed (exit ${result.code ?? 'by signal'}): ${detail}`)
  }
  return result
}
