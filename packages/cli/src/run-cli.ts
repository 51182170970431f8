/**
 * What `guix-ops` runs once bin/run.js has checked Node and answered
 * --version: oclif, with this install's command API provided to plugins
 * outside it. Bundled with oclif into bundle/ (see bundle.mjs), so that a
 * short command reads a few files instead of ~130 modules.
 */
import { flush, run, settings } from '@oclif/core'
import { provideCommandApi } from './host-modules.js'
import { installsPlugin, localPluginArgs } from './plugin-install-args.js'

/** `root` is the file oclif finds the CLI's package.json from (bin/run.js). */
export async function runCli(argv: string[], root: string): Promise<void> {
  if (argv[0]?.startsWith('plugins')) argv = localPluginArgs(argv)
  // Plugin commands outside this install import the command API from here.
  provideCommandApi()
  // Plugins ship built JavaScript; linked ones are not transpiled on the fly (nor warned about).
  settings.enableAutoTranspile = false
  try {
    await run(argv, root)
    await flush()
  } catch (error) {
    // Commands render their own errors; this is what fails before one runs (an unknown command).
    if ((error as { oclif?: { exit?: number } })?.oclif?.exit === 0) return
    const { renderError, toGuixOpsError } = await import('./render/errors.js')
    const failure = toGuixOpsError(error, { installingPlugin: installsPlugin(argv) })
    if (argv.includes('--json')) process.stdout.write(`${JSON.stringify({ error: failure.toJSON() }, null, 2)}\n`)
    else process.stderr.write(`${renderError(failure)}\n`)
    process.exitCode = failure.exit
  }
}
