// Bundles a workspace package's built entry (dist/index.js) into one file,
// bundle/index.js, which its package.json names: every ES module costs a
// command's start-up a file read and the loader's own work, and a deploy
// with the debian driver loaded ~50 of them from plugin-api and the plugin
// (bench/README.md). Other packages stay external: plugins must share
// @guix-ops/plugin-api with the host. Only for packages whose code reads no
// file beside its own modules (lxc and qemu start helper scripts found that
// way, so they stay as built). Run from the package's directory.
import { rmSync } from 'node:fs'
import { build } from 'rolldown'
import { BUNDLE_OUTPUT } from './bundle-output.mjs'

rmSync('bundle', { recursive: true, force: true })
await build({
  cwd: process.cwd(),
  input: { index: 'dist/index.js' },
  platform: 'node',
  external: (id) => !id.startsWith('.') && !id.startsWith('/'),
  output: BUNDLE_OUTPUT,
  logLevel: 'warn',
})
