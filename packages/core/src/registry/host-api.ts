/**
 * Plugins installed with `guix-ops plugins install` live outside this
 * install's node_modules, and `@guix-ops/plugin-api` is not on any registry
 * they could fetch it from. So the host gives every plugin its own copy:
 * one API, one `GuixOpsError` class, and the version the host speaks.
 * The same hook gives them the host's zod when they ask for its version
 * (shared-zod.ts).
 */
import module from 'node:module'
import { pathToFileURL } from 'node:url'
import { resolveSharedZod } from './shared-zod.js'

const API_PACKAGE = '@guix-ops/plugin-api'
let installed = false

export function provideHostApi(): void {
  if (installed || typeof module.registerHooks !== 'function') return
  installed = true
  const require = module.createRequire(import.meta.url)
  const hostApi = pathToFileURL(require.resolve(API_PACKAGE)).href
  module.registerHooks({
    resolve(specifier, context, nextResolve) {
      if (specifier === API_PACKAGE) return { url: hostApi, format: 'module', shortCircuit: true }
      return resolveSharedZod(specifier, context, nextResolve)
    },
  })
}
