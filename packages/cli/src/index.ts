/**
 * The command API of guix-ops: what a plugin's oclif commands build on, the
 * bundled plugins' and a third party's alike. A command extends BaseCommand
 * (global flags, --json, errors rendered with their code and hint) and
 * renders with `table` and `ProgressView`. `Args` and `Flags` are oclif's,
 * re-exported so that a plugin's commands use the host's own copy.
 */
export { Args, Flags } from '@oclif/core'
export { BaseCommand, type BaseFlags } from './base/command.js'
export { provideCommandApi } from './host-modules.js'
export { installsPlugin, localPluginArgs } from './plugin-install-args.js'
export { renderError, toGuixOpsError } from './render/errors.js'
export { ProgressView } from './render/progress.js'
export { table } from './render/table.js'
