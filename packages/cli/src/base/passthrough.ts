/**
 * Splits a command line at the first `--`: what comes before is parsed by
 * oclif, what comes after is a remote command, kept word for word and in
 * order (oclif's own non-strict parsing reorders unknown words).
 */
export function splitAtDoubleDash(argv: readonly string[]): { own: string[]; command: string[] } {
  const at = argv.indexOf('--')
  return at === -1 ? { own: [...argv], command: [] } : { own: argv.slice(0, at), command: argv.slice(at + 1) }
}
