/**
 * zod, loaded the first time a manifest or a plugin's export is checked.
 * A static import would put it into every command's start-up, `list` and
 * `--help` included, which read no manifest: on the 2-core machine measured
 * it cost about as much again as starting node itself.
 * It is zod's ES module build, required synchronously: plugins (and the
 * managed platform) import that one, and `require('zod')` would load its
 * CommonJS build beside it, a second copy of zod costing ~12 MB of memory.
 */
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import type * as Zod from 'zod'
import { provideHostApi } from './host-api.js'

let loaded: typeof Zod | undefined

export function zod(): typeof Zod {
  // Through the host's hook: the bundled zod that plugins of the same version get too.
  provideHostApi()
  loaded ??= createRequire(import.meta.url)(fileURLToPath(import.meta.resolve('zod'))) as typeof Zod
  return loaded
}
