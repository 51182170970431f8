/** Flags shared by many commands. */
import { Flags, type Interfaces } from '@oclif/core'

export const deploymentFlag: Interfaces.OptionFlag<string | undefined> = Flags.string({
  char: 'd',
  description: 'deployment name or id',
  env: 'GUIX_OPS_DEPLOYMENT',
  helpValue: 'NAME',
})
