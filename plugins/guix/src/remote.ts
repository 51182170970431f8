/** Running a step on the target, streaming its output as progress, failing with its last lines. */
import { type ExecResult, GuixOpsError, lineSplitter, type SystemContext } from '@guix-ops/plugin-api'
import { GuixError } from './codes.js'

/** The last lines of what a command printed: enough to see why it failed. */
export function tail(result: ExecResult, lines = 6): string {
  const output = result.stderr.trim() || result.stdout.trim()
  return output ? output.split('\n').slice(-lines).join(' | ') : 'no output'
}

/** Runs `argv`, reporting each line of output as progress of `what`. */
export async function streamed(ctx: SystemContext, argv: string[], what: string): Promise<ExecResult> {
  const progress = lineSplitter((line) => {
    if (line.trim() !== '') ctx.progress.report(`${what}: ${line.trim()}`)
  })
  const onOutput = (chunk: string) => progress.push(chunk)
  return ctx.host.exec(argv, { onStdout: onOutput, onStderr: onOutput })
}

export async function must(
  ctx: SystemContext,
  argv: string[],
  what: string,
  code: string = GuixError.Apply,
): Promise<string> {
  const result = await ctx.host.exec(argv)
  if (result.code !== 0)
    throw new GuixOpsError(code, `guix: ${what} failed (exit ${result.code ?? 'by signal'}): ${tail(result)}`, {
      where: { machine: ctx.machine },
    })
  return result.stdout
}
