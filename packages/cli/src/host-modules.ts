/**
 * A plugin installed with `guix-ops plugins install` lives outside this
 * install's node_modules, and the guix-ops packages it builds on are not on
 * any registry it could fetch them from. So the CLI answers for them: a
 * plugin's command that imports `@guix-ops/cli` or `@guix-ops/plugin-api`
 * gets this install's copy, one BaseCommand and one GuixOpsError class.
 * Kept apart from index.ts so that start-up loads it for nothing.
 */
import module from 'node:module'
import { pathToFileURL } from 'node:url'

let provided = false

export function provideCommandApi(): void {
  if (provided || typeof module.registerHooks !== 'function') return
  provided = true
  // Resolved before the hook exists: resolving inside it would call it again.
  // By name, the CLI's too: the file that its "exports" names, wherever the bundle put this code.
  const { resolve } = module.createRequire(import.meta.url)
  const hostModules = new Map(
    ['@guix-ops/cli', '@guix-ops/plugin-api'].map((name) => [name, pathToFileURL(resolve(name)).href]),
  )
  module.registerHooks({
    resolve(specifier, context, nextResolve) {
      const url = hostModules.get(specifier)
      if (url === undefined) return nextResolve(specifier, context)
      return { url, format: 'module', shortCircuit: true }
    },
  })
}
