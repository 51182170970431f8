#!/usr/bin/env node
// Cache compiled code between runs: start-up is most of a short command's time.
// Through the namespace: a named import of what an older Node lacks would
// fail before the version check below could say what is wrong.
import * as nodeModule from 'node:module'

nodeModule.enableCompileCache?.()

// oclif's own Node version check loads semver (47 modules) on every start;
// this one costs nothing. Keep it in step with "engines" in package.json.
const [major, minor] = process.versions.node.split('.').map(Number)
if (major < 22 || (major === 22 && minor < 18)) {
  process.stderr.write(`guix-ops needs Node.js >= 22.18; this is ${process.version}\n`)
  process.exit(1)
}
process.env.OCLIF_DISABLE_ENGINE_WARNING ??= '1'

async function main(argv) {
  if (argv.length === 1 && argv[0] === '--version') {
    // Answered without loading oclif, in oclif's own format.
    const { readFileSync } = await import('node:fs')
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
    process.stdout.write(`${pkg.name}/${pkg.version} ${process.platform}-${process.arch} node-${process.version}\n`)
    return
  }
  // V8 doubles its young generation each time a scavenge finds much still
  // alive, up to 32 MB, and never gives it back; loading a config and plugins
  // does that. Kept at its first 2 MB a deploy peaks 4-17 MB lower, for a few
  // more scavenges (bench/README.md, "Peak RSS of guix-ops"). Read by V8 at
  // each growth, so setting it here, unlike --max-semi-space-size, needs no
  // second process.
  const { setFlagsFromString } = await import('node:v8')
  setFlagsFromString('--semi-space-growth-factor=1')
  // oclif and the CLI's own modules, bundled into a few files by `npm run build`.
  const { runCli } = await import('../bundle/run-cli.js')
  await runCli(argv, import.meta.url)
}

// Not a top-level await: a reader that closes the pipe early must not leave a warning behind.
main(process.argv.slice(2))
