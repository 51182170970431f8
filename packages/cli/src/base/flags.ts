/** Flags shared by many commands. */
import { Args, Flags, type Interfaces } from '@oclif/core'

export const deploymentFlag: Interfaces.OptionFlag<string | undefined> = Flags.string({
  char: 'd',
  description: 'deployment name or id',
  env: 'GUIX_OPS_DEPLOYMENT',
  helpValue: 'NAME',
})

/** The MACHINE... arguments of commands that act on some or all machines. */
export function machinesArg(verb: string): Interfaces.Arg<string | undefined> {
  return Args.string({ description: `machines to ${verb} [default: all deployed]` })
}
