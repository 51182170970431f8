/**
 * Changed limits, mounts and autostart applied to an existing container:
 * guix-ops' lines of its LXC config are rewritten (LXC reads them at each
 * start), a running container's cgroup takes new limits at once
 * (lxc-cgroup), and a running container whose mounts changed is stopped to
 * be started again, as LXC mounts them only when it starts.
 */
import { readFile, rename, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { PluginContext } from '@guix-ops/plugin-api'
import { liveLimits, optionLines, withOptionLines } from './container-config.js'
import { containerState, lxc, lxcMust, lxcPath } from './containers.js'
import { LxcError, lxcError } from './errors.js'
import { checkMounts, isFile, shutdown } from './lifecycle.js'
import { optionChanges, reconfigured } from './made.js'
import type { LxcOptions } from './options.js'
import type { LxcResource } from './resource.js'

async function rewriteConfig(container: string, options: LxcOptions, machine: string): Promise<void> {
  const file = path.join(await lxcPath(), container, 'config')
  try {
    const config = withOptionLines(await readFile(file, 'utf8'), optionLines(options, isFile))
    // Written whole, then renamed over: a start meanwhile reads the old config or the new, never half of one.
    await writeFile(`${file}.guix-ops-new`, config, { mode: 0o640 })
    await rename(`${file}.guix-ops-new`, file)
  } catch (error) {
    throw lxcError(LxcError.Reconfigure, `cannot rewrite ${file}: ${(error as Error).message}`, {
      machine,
      cause: error,
    })
  }
}

async function setLimits(container: string, settings: string[][], machine: string): Promise<void> {
  // `--` ends the options: no limit is `-1` on cgroup v1, which lxc-cgroup would take for one.
  for (const [key, value] of settings)
    await lxcMust(['lxc-cgroup', '-n', container, '--', key!, value!], LxcError.Reconfigure, machine)
}

async function stop(container: string): Promise<void> {
  await shutdown(container)
  if ((await containerState(container)) === 'RUNNING') await lxc(['lxc-stop', '-k', '-n', container])
}

/**
 * Applies what differs from what the container was made with and a deploy
 * can change; `stopped` when it stopped a running container to do so (the
 * caller starts it again). A container with no record is left as it is.
 */
export async function reconfigure(
  ctx: PluginContext,
  resource: LxcResource,
  options: LxcOptions,
  running: boolean,
): Promise<{ resource: LxcResource; stopped: boolean }> {
  const made = resource.madeWith
  const changed = new Set(optionChanges(made, options).flatMap((c) => (c.applies === 'deploy' ? [c.option] : [])))
  if (!made || changed.size === 0) return { resource, stopped: false }
  if (changed.has('mounts')) checkMounts(options, ctx.machine)
  ctx.progress.report(`applying the new ${[...changed].join(', ')}`)
  await rewriteConfig(resource.container, options, ctx.machine)
  const applied = { ...resource, madeWith: reconfigured(made, options) }
  if (running && changed.has('mounts')) {
    ctx.progress.report('stopping the container to change its mounts')
    await stop(resource.container)
    return { resource: applied, stopped: true }
  }
  const limits = liveLimits(options)
  if (running && changed.has('memory')) await setLimits(resource.container, limits.memory, ctx.machine)
  if (running && changed.has('cpus')) await setLimits(resource.container, limits.cpus, ctx.machine)
  return { resource: applied, stopped: false }
}
