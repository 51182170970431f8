export { CAPABILITY_MISSING, requireCapability } from './capability.js'
export type { ManagedResource } from './managed.js'
export type { ManagedOptions } from './managed-options.js'
