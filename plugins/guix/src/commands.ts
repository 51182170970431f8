/** The `guix` command lines the driver runs on the target, as argument arrays. */
import type { Layout } from './layout.js'
import type { GuixOptions } from './options.js'

/** `guix`, or `guix time-machine -C channels.scm --` when Guix itself is pinned. */
export function guix(layout: Layout, options: Pick<GuixOptions, 'channels'>): string[] {
  return options.channels ? ['guix', 'time-machine', '-C', layout.channels, '--'] : ['guix']
}

/** `-L` for the generated parameters module and each uploaded load-path directory. */
export function loadPathFlags(layout: Layout, options: Pick<GuixOptions, 'loadPath'>): string[] {
  return ['-L', layout.modules, ...options.loadPath.flatMap((_, i) => ['-L', layout.loadPath(i)])]
}

/** `config` is the absolute path of the uploaded config on the target. */
export function reconfigure(layout: Layout, options: GuixOptions, config: string): string[] {
  return [
    ...guix(layout, options),
    'system',
    'reconfigure',
    ...loadPathFlags(layout, options),
    ...(options.system ? [`--system=${options.system}`] : []),
    ...(options.allowDowngrades ? ['--allow-downgrades'] : []),
    // Without it reconfigure checks file systems and initrd modules itself (guix/scripts/system.scm).
    ...(options.safetyChecks ? [] : ['--skip-checks']),
    config,
  ]
}

export function safetyRepl(layout: Layout, options: GuixOptions, config: string): string[] {
  return [...guix(layout, options), 'repl', ...loadPathFlags(layout, options), '--', layout.safetyScript, config]
}

/** `guix repl` running the services upgrade (upgrade-services.ts) on the uploaded config. */
export function upgradeRepl(layout: Layout, options: GuixOptions, config: string): string[] {
  return [...guix(layout, options), 'repl', ...loadPathFlags(layout, options), '--', layout.upgradeScript, config]
}
