/** Running local programs with argument arrays (never a shell string built from input). */

export interface RunResult {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs `argv`, collecting its output; a missing program rejects with an ENOENT error. */
export async function run(
  argv: readonly string[],
  options: { env?: NodeJS.ProcessEnv; input?: string | Buffer } = {},
): Promise<RunResult> {
  // Loaded on first use: loading the plugin (to check options, list its commands) stays light.
  const { execa } = await import('execa')
  const result = await execa(argv[0]!, argv.slice(1), {
    env: options.env ?? {},
    input: options.input ?? '',
    reject: false,
    stripFinalNewline: false,
  })
  // Not started at all (no such program): the spawn error itself, as callers look at its code.
  if (result.failed && result.exitCode === undefined && result.signal === undefined) throw result.cause ?? result
  return { code: result.exitCode ?? null, stdout: result.stdout, stderr: result.stderr }
}
