/**
 * A file that `npm run build` bundles beside the engine's own bundle
 * (bundle.mjs): `NAME` with the version of the package it was made from in
 * `NAME-without-extension.json`. Undefined where the engine runs from its
 * sources (tests) or the build wrote none.
 */
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

export interface BundledFile {
  url: string
  version: string
}

/** The `version` in a JSON file, or undefined when it has none or cannot be read. */
export function versionIn(file: string): string | undefined {
  try {
    const { version } = JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown }
    return typeof version === 'string' ? version : undefined
  } catch {
    return undefined
  }
}

export function bundledFile(name: string): BundledFile | undefined {
  let dir: string
  try {
    // The engine's own entry, bundle/index.js, wherever this code itself was bundled to.
    dir = path.dirname(fileURLToPath(import.meta.resolve('@guix-ops/core')))
  } catch {
    return undefined
  }
  const file = path.join(dir, name)
  if (!existsSync(file)) return undefined
  const version = versionIn(path.join(dir, `${name.replace(/\.[^.]+$/, '')}.json`))
  return version === undefined ? undefined : { url: pathToFileURL(file).href, version }
}
