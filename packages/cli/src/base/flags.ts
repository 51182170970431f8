/** Flags shared by many commands. */
import { Args, Flags, type Interfaces } from '@oclif/core'

export const deploymentFlag: Interfaces.OptionFlag<string | undefined> = Flags.string({
  char: 'd',
  description: 'deployment name or id',
  env: 'GUIX_OPS_DEPLOYMENT',
  helpValue: 'NAME',
})

/** On every command that evaluates the deployment's config: how long its code may run. */
export const configTimeoutFlag: Interfaces.OptionFlag<number> = Flags.integer({
  description: "seconds the config's own code may take to evaluate before the command fails",
  env: 'GUIX_OPS_CONFIG_TIMEOUT',
  default: 30,
  min: 1,
  helpValue: 'SECONDS',
})

/** The MACHINE... arguments of commands that act on some or all machines. */
export function machinesArg(verb: string): Interfaces.Arg<string | undefined> {
  return Args.string({ description: `machines to ${verb} [default: all deployed]` })
}
