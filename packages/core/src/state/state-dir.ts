/** Where state lives: beside Guix's own config, unless told otherwise. */
import { homedir } from 'node:os'
import path from 'node:path'

export function resolveStateDir(options: { flag?: string; env?: NodeJS.ProcessEnv } = {}): string {
  const env = options.env ?? process.env
  if (options.flag) return path.resolve(options.flag)
  if (env.GUIX_OPS_STATE_DIR) return path.resolve(env.GUIX_OPS_STATE_DIR)
  const configHome = env.XDG_CONFIG_HOME ? path.resolve(env.XDG_CONFIG_HOME) : path.join(homedir(), '.config')
  return path.join(configHome, 'guix', 'ops')
}
