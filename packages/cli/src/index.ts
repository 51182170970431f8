export { BaseCommand } from './base/command.js'
export { localPluginArgs } from './plugin-install-args.js'
export { renderError, toGuixOpsError } from './render/errors.js'
