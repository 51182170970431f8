/**
 * The version of the plugin contract this package describes.
 *
 * A plugin declares the version it was written for in its package.json
 * (`"guix-ops": { "apiVersion": 1 }`) and in `definePlatform`/`defineSystem`.
 * The core refuses, by name, a plugin built for a version it does not speak.
 */
export const API_VERSION = 1 as const

export type ApiVersion = typeof API_VERSION
