// Bundles the built driver (dist/) into one file under bundle/: a deploy
// loads it on every run, and ~30 small modules cost its start-up more to
// resolve and link than one file does. Packages stay external: zod and execa
// load from node_modules (execa only for a push), and @guix-ops/plugin-api
// must be the host's own copy.
import { rmSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'rolldown'

// fileURLToPath, not URL#pathname: a checkout path with spaces must not arrive percent-encoded.
const here = path.dirname(fileURLToPath(import.meta.url))
rmSync(path.join(here, 'bundle'), { recursive: true, force: true })
await build({
  cwd: here,
  input: { index: 'dist/index.js' },
  platform: 'node',
  external: (id) => !id.startsWith('.') && !id.startsWith('/'),
  output: { dir: 'bundle', format: 'esm', chunkFileNames: 'chunks/[name]-[hash].js' },
  logLevel: 'warn',
})
