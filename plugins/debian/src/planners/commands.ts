/** Commands: run when a file they watch changed (or always, watching none); they are not changes themselves. */
import type { Action } from '../actions.js'
import type { Desired } from '../model.js'

export function planCommands(desired: Desired, triggered: Set<string>): Action[] {
  return desired.commands
    .filter((command) => !command.on || command.on.some((f) => triggered.has(f)))
    .map((command) => ({ kind: 'command', run: command.run }))
}
