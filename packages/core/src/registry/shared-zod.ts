/**
 * zod as one file. Its ES module build is ~95 small modules, and loading
 * them cost every deploy ~30 ms more than loading the same code as one file
 * (bench/README.md, "zod in one file"). The build bundles it, unchanged, into
 * bundle/zod.js beside the engine's bundle and writes its version in
 * bundle/zod.json. An `import 'zod'` that would load that very version gets
 * the bundled file instead: the same code, faster, and one copy for the host
 * and every plugin. A plugin that depends on another version keeps its own.
 */
import { readFileSync } from 'node:fs'
import type { ResolveFnOutput, ResolveHookContext } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { type BundledFile, bundledFile } from '../bundled-file.js'

/** The version of the zod package a resolved file belongs to, from the nearest package.json named zod. */
function versionAt(url: string): string | undefined {
  if (!url.startsWith('file:')) return undefined
  let dir = path.dirname(fileURLToPath(url))
  for (let depth = 0; depth < 4; depth++) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
        name?: unknown
        version?: unknown
      }
      if (pkg.name === 'zod') return typeof pkg.version === 'string' ? pkg.version : undefined
    } catch {}
    const up = path.dirname(dir)
    if (up === dir) break
    dir = up
  }
  return undefined
}

let bundled: BundledFile | null | undefined
const versions = new Map<string, string | undefined>()

/**
 * A resolve step for `registerHooks`: `import 'zod'` answered with the
 * bundled file when the importer's own zod is the same version. Imports of
 * zod's subpaths, and `require`, are left as they are.
 */
export function resolveSharedZod(
  specifier: string,
  context: ResolveHookContext,
  nextResolve: (specifier: string, context?: Partial<ResolveHookContext>) => ResolveFnOutput,
): ResolveFnOutput {
  const own = nextResolve(specifier, context)
  if (specifier !== 'zod' || !context.conditions.includes('import')) return own
  bundled ??= bundledFile('zod.js') ?? null
  if (bundled === null || own.url === bundled.url) return own
  if (!versions.has(own.url)) versions.set(own.url, versionAt(own.url))
  if (versions.get(own.url) !== bundled.version) return own
  return { url: bundled.url, format: 'module', shortCircuit: true }
}
