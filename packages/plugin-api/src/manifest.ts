/**
 * What a plugin package declares in its package.json, under `guix-ops`, so
 * that the CLI can list its platforms and systems without importing them:
 *
 *   "guix-ops": {
 *     "apiVersion": 1,
 *     "platforms": { "hetzner": "./dist/platform.js" },
 *     "systems": { "alpine": "./dist/system.js" },
 *     "hooks": "./dist/hooks.js"
 *   }
 *
 * Each path is a module whose default export is the `definePlatform(...)`,
 * `defineSystem(...)` or `defineHooks(...)` value.
 */
export interface PluginManifest {
  apiVersion: number
  platforms?: Record<string, string>
  systems?: Record<string, string>
  hooks?: string
}
