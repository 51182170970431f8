// The core knows no platform: neither the CLI nor the core may import a
// package under plugins/, directly or by a relative path. Every import,
// re-export, `import()` type and `require` of their source files is parsed
// and resolved to the workspace package it names.
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { importSpecifiers, resolveInWorkspace, sourceFiles, workspacePackages } from '../support/imports.js'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const PLUGINS = path.join(ROOT, 'plugins') + path.sep

describe('dependency direction', () => {
  const packages = workspacePackages(ROOT)

  for (const layer of ['packages/cli', 'packages/core']) {
    it(`${layer} imports nothing under plugins/`, () => {
      const edges = sourceFiles(path.join(ROOT, layer, 'src')).flatMap((file) =>
        importSpecifiers(file).map((specifier) => ({
          from: path.relative(ROOT, file),
          specifier,
          to: resolveInWorkspace(specifier, file, packages),
        })),
      )
      // The walk sees the graph: each layer builds on the plugin API.
      expect(edges.some((e) => e.to === packages.get('@guix-ops/plugin-api'))).toBe(true)
      const intoPlugins = edges
        .filter((e) => e.to !== undefined && (e.to + path.sep).startsWith(PLUGINS))
        .map((e) => `${e.from} imports ${e.specifier}`)
      expect(intoPlugins).toEqual([])
    })
  }
})
