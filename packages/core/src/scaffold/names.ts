/**
 * Names a new plugin package is written with: the platform name users type
 * (`type: 'acme'`) and the npm package name it is published under.
 */

import { GuixOpsError } from '@guix-ops/plugin-api'
import { ErrorCode } from '../codes.js'

/** The rule the manifest reader applies to platform and system names. */
const PLUGIN_NAME = /^[a-z0-9][a-z0-9-]*$/
/** npm's rules for new packages: lower case, URL-safe, optionally scoped, at most 214 characters. */
const PACKAGE_NAME = /^(?:@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]*$/

export function checkPluginName(kind: 'platform' | 'system', name: string): void {
  if (PLUGIN_NAME.test(name) && name.length <= 64) return
  throw new GuixOpsError(ErrorCode.InvalidName, `invalid ${kind} name "${name}"`, {
    where: { plugin: name },
    suggestion: 'use lower-case letters, digits and dashes, starting with a letter or digit (at most 64)',
  })
}

export function checkPackageName(name: string): void {
  if (PACKAGE_NAME.test(name) && name.length <= 214 && !['node_modules', 'favicon.ico'].includes(name)) return
  throw new GuixOpsError(ErrorCode.InvalidName, `invalid npm package name "${name}"`, {
    where: { plugin: name },
    suggestion: 'use lower case, no spaces, at most 214 characters, optionally scoped: @scope/name',
  })
}

/** `@acme/guix-ops-cloud` -> `acme-guix-ops-cloud`, as `npm pack` names the tarball. */
export function tarballBase(packageName: string): string {
  return packageName.replace(/^@/, '').replace('/', '-')
}
