export { BaseCommand } from './base/command.js'
export { renderError, toGuixOpsError } from './render/errors.js'
