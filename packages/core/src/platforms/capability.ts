/**
 * A platform that lacks a capability says so, by name, instead of doing
 * nothing: `platform "managed" cannot stop machines`.
 */
import { GuixOpsError, type PlatformCapability, type PlatformDefinition } from '@guix-ops/plugin-api'
import { ErrorCode } from '../codes.js'

export const CAPABILITY_MISSING: typeof ErrorCode.Capability = ErrorCode.Capability

export function requireCapability(
  platform: PlatformDefinition,
  capability: PlatformCapability,
  machine?: string,
): void {
  if (platform.capabilities[capability] === true) return
  throw new GuixOpsError(
    CAPABILITY_MISSING,
    `platform "${platform.name}" cannot ${capability} machines${machine ? ` (machine "${machine}")` : ''}`,
    {
      where: { plugin: platform.name, ...(machine ? { machine } : {}) },
      suggestion:
        platform.name === 'managed'
          ? `a managed host is not guix-ops' to ${capability}; do it by its own means`
          : `see "guix-ops platforms" for what ${platform.name} can do`,
    },
  )
}
