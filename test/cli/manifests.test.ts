// The CLI and the plugins bundled with it ship an oclif.manifest.json, made by
// `npm run build`: oclif reads commands from it instead of importing every
// command file at start-up, for bundled and installed plugins alike. A stale
// one would hide a new command or point at a file that is gone.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { ROOT } from '../support/cli.js'

interface PackageJson {
  name: string
  version: string
  oclif: { commands?: string; plugins?: string[] }
}

interface Manifest {
  version: string
  commands: Record<string, { relativePath: string[] }>
}

const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T
const cliDir = path.join(ROOT, 'packages/cli')
const cli = readJson<PackageJson>(path.join(cliDir, 'package.json'))
const ours = (cli.oclif.plugins ?? []).filter((name) => name.startsWith('@guix-ops/'))
const packageDirs = [cliDir, ...ours.map((name) => path.join(ROOT, 'node_modules', name))]

/** Command ids as oclif derives them from the files under the commands dir. */
function commandIds(dir: string): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.js'))
    .map((file) =>
      file
        .slice(0, -'.js'.length)
        .split(path.sep)
        .join(':')
        .replace(/:index$/, ''),
    )
    .sort()
}

describe('oclif manifests of the CLI and its bundled plugins', () => {
  it.each(packageDirs)('%s: fresh, naming every command and only existing files', (dir) => {
    const pkg = readJson<PackageJson>(path.join(dir, 'package.json'))
    const manifestFile = path.join(dir, 'oclif.manifest.json')
    expect(existsSync(manifestFile), `${manifestFile}: run "npm run build"`).toBe(true)
    const manifest = readJson<Manifest>(manifestFile)
    expect(manifest.version).toBe(pkg.version)
    const commandsDir = pkg.oclif.commands ? path.join(dir, pkg.oclif.commands) : ''
    expect(Object.keys(manifest.commands).sort()).toEqual(commandIds(commandsDir))
    for (const command of Object.values(manifest.commands)) {
      expect(existsSync(path.join(dir, ...command.relativePath))).toBe(true)
    }
  })
})
