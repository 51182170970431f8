/**
 * zod, loaded the first time a manifest or a plugin's export is checked.
 * A static import would put it into every command's start-up, `list` and
 * `--help` included, which read no manifest: on the 2-core machine measured
 * it cost about as much again as starting node itself.
 */
import { createRequire } from 'node:module'
import type * as Zod from 'zod'

let loaded: typeof Zod | undefined

export function zod(): typeof Zod {
  loaded ??= createRequire(import.meta.url)('zod') as typeof Zod
  return loaded
}
