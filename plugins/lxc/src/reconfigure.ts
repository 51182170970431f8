/**
 * Changed limits, mounts and autostart applied to an existing container:
 * guix-ops' lines of its LXC config are rewritten (LXC reads them at each
 * start), a running container's cgroup takes new limits at once
 * (lxc-cgroup), and a running container whose mounts changed is stopped to
 * be started again, as LXC mounts them only when it starts.
 */
import { readFile, rename, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { GuixOpsError, PluginContext } from '@guix-ops/plugin-api'
import { liveLimits, optionLines, withOptionLines } from './container-config.js'
import { containerState, lxc, lxcMust, lxcPath } from './containers.js'
import { LxcError, lxcError } from './errors.js'
import { boot, checkMounts, isFile, shutdown } from './lifecycle.js'
import { optionChanges, reconfigured } from './made.js'
import type { LxcOptions } from './options.js'
import type { LxcResource } from './resource.js'

/** Written whole, then renamed over: a start meanwhile reads the old config or the new, never half of one. */
async function replaceConfig(file: string, config: string): Promise<void> {
  await writeFile(`${file}.guix-ops-new`, config, { mode: 0o640 })
  await rename(`${file}.guix-ops-new`, file)
}

/** Rewrites guix-ops' lines of the container's config; resolves to the config as it was. */
async function rewriteConfig(container: string, options: LxcOptions, machine: string): Promise<string> {
  const file = path.join(await lxcPath(), container, 'config')
  try {
    const previous = await readFile(file, 'utf8')
    await replaceConfig(file, withOptionLines(previous, optionLines(options, isFile)))
    return previous
  } catch (error) {
    throw lxcError(LxcError.Reconfigure, `cannot rewrite ${file}: ${(error as Error).message}`, {
      machine,
      cause: error,
    })
  }
}

/**
 * Puts the config back as it was before the change failed: guix-ops' record
 * keeps the old options, so deploying them again finds nothing to rewrite,
 * and a line left behind would apply at the next start.
 */
async function putBack(container: string, previous: string): Promise<void> {
  await replaceConfig(path.join(await lxcPath(), container, 'config'), previous)
}

/** The failure, saying that the previous config is back (and what became of the container). */
function undone(error: unknown, note: string, machine: string): GuixOpsError {
  const failed = error as GuixOpsError
  return lxcError(LxcError.Reconfigure, `${failed.message}; the container's previous LXC config was put back${note}`, {
    machine,
    cause: error,
    ...(failed.suggestion ? { suggestion: failed.suggestion } : {}),
  })
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

/** What reconfigure did; `previousConfig` is the config before it was rewritten, when it was. */
export interface Reconfigured {
  resource: LxcResource
  stopped: boolean
  previousConfig?: string
}

/**
 * Applies what differs from what the container was made with and a deploy
 * can change; `stopped` when it stopped a running container to do so (the
 * caller starts it again, with bootOrPutBack). A container with no record is
 * left as it is. When a step fails, its previous config is put back.
 */
export async function reconfigure(
  ctx: PluginContext,
  resource: LxcResource,
  options: LxcOptions,
  running: boolean,
): Promise<Reconfigured> {
  const made = resource.madeWith
  const changed = new Set(optionChanges(made, options).flatMap((c) => (c.applies === 'deploy' ? [c.option] : [])))
  if (!made || changed.size === 0) return { resource, stopped: false }
  if (changed.has('mounts')) checkMounts(options, ctx.machine)
  ctx.progress.report(`applying the new ${[...changed].join(', ')}`)
  const previousConfig = await rewriteConfig(resource.container, options, ctx.machine)
  const applied = { resource: { ...resource, madeWith: reconfigured(made, options) }, previousConfig }
  try {
    if (running && changed.has('mounts')) {
      ctx.progress.report('stopping the container to change its mounts')
      await stop(resource.container)
      return { ...applied, stopped: true }
    }
    const limits = liveLimits(options)
    if (running && changed.has('memory')) await setLimits(resource.container, limits.memory, ctx.machine)
    if (running && changed.has('cpus')) await setLimits(resource.container, limits.cpus, ctx.machine)
    return { ...applied, stopped: false }
  } catch (error) {
    await putBack(resource.container, previousConfig)
    throw undone(error, '', ctx.machine)
  }
}

/**
 * Starts a container reconfigure changed. When it does not come up, its
 * previous config is put back, and a container that was running before is
 * started again with it.
 */
export async function bootOrPutBack(ctx: PluginContext, done: Reconfigured, wasRunning: boolean): Promise<LxcResource> {
  try {
    return await boot(ctx, done.resource)
  } catch (error) {
    if (done.previousConfig === undefined) throw error
    ctx.progress.report('the container did not start with its new config: putting the previous one back')
    await stop(done.resource.container)
    await putBack(done.resource.container, done.previousConfig)
    if (!wasRunning) throw undone(error, '', ctx.machine)
    const again = await boot(ctx, done.resource).then(
      () => ' and the container was started again with it',
      (e: Error) => `, but the container did not start with it either: ${e.message}`,
    )
    throw undone(error, again, ctx.machine)
  }
}
