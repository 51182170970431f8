// Bundles the built CLI (dist/) together with oclif into a few files under
// bundle/: oclif alone is ~130 small modules, and loading them was the
// largest part of a short command's start-up. Entries are what is loaded by
// path or by name: bin/run.js's runCli, the package index (the command API
// that plugins import), host-modules, and every command, which oclif imports
// by the path in oclif.manifest.json. What they share lands in chunks, so
// there is one copy of oclif and of BaseCommand. The guix-ops packages stay
// external: plugins must share @guix-ops/plugin-api with the host.
import { readdirSync, rmSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'rolldown'
import { BUNDLE_OUTPUT } from '../../scripts/bundle-output.mjs'

// fileURLToPath, not URL#pathname: a checkout path with spaces must not arrive percent-encoded.
const here = path.dirname(fileURLToPath(import.meta.url))
rmSync(path.join(here, 'bundle'), { recursive: true, force: true })
// From the sources, not dist/: tsc -b leaves the output of a deleted command behind.
const commands = readdirSync(path.join(here, 'src/commands'), { recursive: true })
  .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts') && !file.endsWith('.d.ts'))
  .map((file) => `commands/${file.slice(0, -'.ts'.length)}`)
const entries = ['index', 'host-modules', 'run-cli', ...commands]
await build({
  cwd: here,
  input: Object.fromEntries(entries.map((entry) => [entry, `dist/${entry}.js`])),
  platform: 'node',
  // typescript: oclif reads a tsconfig with it only to transpile plugins, which the CLI turns off.
  external: (id) => id.startsWith('@guix-ops/') || id.startsWith('node:') || id === 'typescript',
  output: BUNDLE_OUTPUT,
  logLevel: 'warn',
})
