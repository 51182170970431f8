/**
 * `plugins install` takes anything with a slash and no colon for a GitHub
 * "owner/repo" and fetches it from there, so `./acme-1.0.0.tgz` or
 * `/tmp/acme` would go over the network. A path that exists is handed on as
 * `file:<absolute path>`, which npm installs from the disk.
 */
import { existsSync } from 'node:fs'
import path from 'node:path'

const INSTALL = new Set(['install', 'add', 'i'])

export function localPluginArgs(argv: string[], cwd: string = process.cwd()): string[] {
  const installs =
    (argv[0] === 'plugins' && INSTALL.has(argv[1] ?? '')) || argv[0] === 'plugins:install' || argv[0] === 'plugins:add'
  if (!installs) return argv
  const firstArg = argv[0] === 'plugins' ? 2 : 1
  return argv.map((arg, i) => {
    if (i < firstArg || arg.startsWith('-') || arg.includes(':') || !arg.includes('/')) return arg
    const full = path.resolve(cwd, arg)
    return existsSync(full) ? `file:${full}` : arg
  })
}

const INSTALL_OR_LINK = new Set([...INSTALL, 'link'])

/** True for `plugins install|link`, in either command spelling: their failures are E_PLUGIN_INSTALL. */
export function installsPlugin(argv: readonly string[]): boolean {
  if (argv[0] === 'plugins') return INSTALL_OR_LINK.has(argv[1] ?? '')
  return ['plugins:install', 'plugins:add', 'plugins:link'].includes(argv[0] ?? '')
}
