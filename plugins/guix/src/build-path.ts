/**
 * Where a machine's system is built, decided here before anything remote.
 * `guix deploy` evaluates and builds with the deploying machine's Guix and
 * sends the closure (gnu/machine/ssh.scm, build-locally? defaults to #t);
 * without a local Guix the driver can only ask the target's Guix to
 * reconfigure, and package versions then follow the target's Guix.
 */
import { existsSync } from 'node:fs'
import path from 'node:path'
import { GuixOpsError } from '@guix-ops/plugin-api'
import { GuixError } from './codes.js'
import { findLocalGuix } from './local-build.js'
import type { GuixOptions } from './options.js'

export interface BuildPath {
  local: boolean
  /** Why this path: an option, or what this machine has. */
  why: string
}

/** Decides without failing; `prepare` then insists on the local guix when the path is local. */
export function chooseBuildPath(options: Pick<GuixOptions, 'buildLocally'>): BuildPath {
  if (options.buildLocally === true) return { local: true, why: 'buildLocally is true' }
  if (options.buildLocally === false) return { local: false, why: 'buildLocally is false' }
  const found = findLocalGuix()
  return found
    ? { local: true, why: `buildLocally is unset and this machine has ${found}` }
    : { local: false, why: 'buildLocally is unset and this machine has no guix on its PATH' }
}

/** How `deploy --dry-run` says it. */
export function describeBuildPath(build: BuildPath): string {
  return build.local
    ? `built here with guix system build, copied to the host, switched to (${build.why})`
    : `built on the host with guix system reconfigure (${build.why})`
}

/**
 * Guix's own public signing key of this machine: %public-key-file of (guix
 * pki), under %config-directory of (guix config), which honours
 * GUIX_CONFIGURATION_DIRECTORY and is /etc/guix otherwise.
 */
export function signingKeyFile(): string {
  return path.join(process.env.GUIX_CONFIGURATION_DIRECTORY ?? '/etc/guix', 'signing-key.pub')
}

/** The key `authorize?` sends, or the error guix deploy gives when there is none. */
export function requireSigningKey(): string {
  const file = signingKeyFile()
  if (existsSync(file)) return file
  throw new GuixOpsError(GuixError.SigningKey, `guix: no signing key ${file} on this machine, which authorize needs`, {
    where: { file, path: 'system.authorize' },
    suggestion:
      'run "guix archive --generate-key" here, or set "authorize: false" if the host already trusts this machine',
  })
}
