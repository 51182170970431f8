// Bundles the built engine (dist/) into a few files under bundle/: loading
// ~80 small modules costs a short command most of its start-up time, one
// file a fraction of it. Entries are what others import: the package index
// and the built-in `managed` platform, which the registry loads by path;
// what both use lands in shared chunks, so there is one copy of each module.
// Packages stay external (they load lazily, and plugins must share
// @guix-ops/plugin-api with the host), except tapable, small and always used.
import { rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'rolldown'
import { BUNDLE_OUTPUT } from '../../scripts/bundle-output.mjs'

// fileURLToPath, not URL#pathname: a checkout path with spaces must not arrive percent-encoded.
const here = path.dirname(fileURLToPath(import.meta.url))
rmSync(path.join(here, 'bundle'), { recursive: true, force: true })
await build({
  cwd: here,
  input: { index: 'dist/index.js', 'platforms/managed': 'dist/platforms/managed.js' },
  platform: 'node',
  external: (id) => !id.startsWith('.') && !id.startsWith('/') && id !== 'tapable',
  output: BUNDLE_OUTPUT,
  logLevel: 'warn',
})

// zod in one file, for the host and every plugin that asks for the same
// version (src/registry/shared-zod.ts): its ES module build is ~95 small
// modules. As it is, nothing left out: `z.locales` holds every locale.
await build({
  cwd: here,
  input: { zod: 'zod-entry.mjs' },
  platform: 'node',
  output: BUNDLE_OUTPUT,
  logLevel: 'warn',
})
const zodPackage = createRequire(path.join(here, 'package.json'))('zod/package.json')
writeFileSync(path.join(here, 'bundle/zod.json'), `${JSON.stringify({ version: zodPackage.version })}\n`)

// ssh2's client in one file (src/ssh/ssh2-client.ts): its ~26 CommonJS
// modules cost a deploy ~15 ms more to find and load one by one. Its native
// helpers stay where npm built them, found at run time as ssh2 itself would
// find them: its binding as a file of the ssh2 installed, cpu-features from
// ssh2's own folder (npm may have put it under ssh2/node_modules). ssh2
// loads both only if it can.
const requireHere = createRequire(path.join(here, 'package.json'))
const ssh2Client = requireHere.resolve('ssh2/lib/client.js')
const ssh2Root = path.dirname(requireHere.resolve('ssh2/package.json'))
const CPU_FEATURES = '\0cpu-features-beside-ssh2'
await build({
  cwd: here,
  input: { 'ssh2-client': ssh2Client },
  platform: 'node',
  plugins: [
    {
      name: 'native-stays',
      resolveId(id, importer) {
        if (id === 'cpu-features') return CPU_FEATURES
        if (!id.endsWith('.node') || !importer) return null
        const file = path.relative(ssh2Root, path.resolve(path.dirname(importer), id))
        return { id: `ssh2/${file.split(path.sep).join('/')}`, external: true }
      },
      load(id) {
        if (id !== CPU_FEATURES) return null
        return `const { dirname } = require('node:path')
const ssh2 = dirname(require.resolve('ssh2/package.json'))
module.exports = require(require.resolve('cpu-features', { paths: [ssh2] }))`
      },
    },
  ],
  output: { ...BUNDLE_OUTPUT, format: 'cjs', entryFileNames: '[name].cjs' },
  logLevel: 'warn',
})
const ssh2Package = requireHere('ssh2/package.json')
writeFileSync(path.join(here, 'bundle/ssh2-client.json'), `${JSON.stringify({ version: ssh2Package.version })}\n`)
