/**
 * The declarative Debian system driver. This release validates its options
 * so deployments using it can be created and inspected; applying them over
 * SSH arrives with the deploy command, and until then each method fails
 * with E_DEBIAN_UNAVAILABLE, saying so.
 */
import { API_VERSION, defineSystem, GuixOpsError, type SystemDefinition } from '@guix-ops/plugin-api'
import { type DebianOptions, debianOptions } from './options.js'

const unavailable = (method: string) => async (): Promise<never> => {
  throw new GuixOpsError('E_DEBIAN_UNAVAILABLE', `debian: ${method} is not available in this release of guix-ops`, {
    where: { plugin: 'debian' },
    suggestion: 'this release creates and validates deployments; applying them comes with the deploy command',
  })
}

const debian: SystemDefinition<DebianOptions> = defineSystem<DebianOptions>({
  name: 'debian',
  apiVersion: API_VERSION,
  description: 'Declarative Debian: packages, users, files, services',
  options: debianOptions,
  plan: unavailable('plan'),
  apply: unavailable('apply'),
  check: unavailable('check'),
  generations: unavailable('generations'),
  rollback: unavailable('rollback'),
})

export default debian
export { type DebianOptions, debianOptions }
