/**
 * Quoting for the remote shell. SSH sends one command string, which the
 * remote user's shell splits; so every argument is quoted here, on purpose,
 * and no caller ever builds a shell string from user input.
 */

const SAFE = /^[A-Za-z0-9_/.:=@%+,-]+$/

/** One argument as a POSIX shell word: left bare when safe, else single-quoted. */
export function shellQuote(arg: string): string {
  if (arg.includes('\0')) throw new Error('a command argument cannot contain a NUL byte')
  if (SAFE.test(arg)) return arg
  return `'${arg.replaceAll("'", `'\\''`)}'`
}

/** An argument vector as one command line for `sh -c` on the remote side. */
export function commandLine(argv: readonly string[]): string {
  if (argv.length === 0) throw new Error('empty command')
  return argv.map(shellQuote).join(' ')
}
