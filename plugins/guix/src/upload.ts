/**
 * Everything a deploy puts in the machine's directory on the target, built
 * and checked locally first: the config bundle under `config/`, the
 * parameters and keys modules under `modules/`, the load path under `load-path/N/`
 * and the channels file. Its hash says whether anything changed.
 */
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import type { SystemContext } from '@guix-ops/plugin-api'
import { type BundleFile, bundleConfig, bundleLoadPath } from './bundle.js'
import { KEYS_MODULE, KEYS_MODULE_TEXT } from './key-service.js'
import type { Layout } from './layout.js'
import type { GuixOptions } from './options.js'
import { PARAMETERS_MODULE, parametersModule } from './parameters.js'
import { must } from './remote.js'
import { readSchemeFiles } from './scheme/read.js'

export interface Upload {
  /** The config, relative to the machine's directory. */
  config: string
  files: BundleFile[]
  channels: boolean
  /** Directories (relative) to pass with `-L`. */
  loadPathDirs: string[]
  /** sha256 of every file and the options that change what is built. */
  hash: string
}

const under = (dir: string, files: BundleFile[]) => files.map((f) => ({ ...f, path: `${dir}/${f.path}` }))

/** Reads and checks everything locally; nothing remote happens here. */
export async function prepareUpload(options: GuixOptions, configDir: string): Promise<Upload> {
  const resolve = (p: string) => path.resolve(configDir, p)
  const bundle = await bundleConfig(resolve(options.config))
  const loadPath = await bundleLoadPath(options.loadPath.map(resolve))
  const files = [
    ...under('config', bundle.files),
    { path: `modules/${PARAMETERS_MODULE}`, content: new TextEncoder().encode(parametersModule(options.parameters)) },
    // The same for every machine: what a config needs for services that wait for a deployment key.
    { path: `modules/${KEYS_MODULE}`, content: new TextEncoder().encode(KEYS_MODULE_TEXT) },
    ...loadPath.flatMap((dir, i) => under(`load-path/${i}`, dir)),
  ]
  if (options.channels) {
    await readSchemeFiles([resolve(options.channels)])
    files.push({ path: 'channels.scm', content: readFileSync(resolve(options.channels)) })
  }
  const hash = createHash('sha256')
  for (const file of files) hash.update(`${file.path}\0${file.content.length}\0`).update(file.content)
  hash.update(JSON.stringify([options.system ?? '', options.allowDowngrades, options.buildLocally]))
  return {
    config: `config/${bundle.config}`,
    files,
    channels: options.channels !== undefined,
    loadPathDirs: ['modules', ...loadPath.map((_, i) => `load-path/${i}`)],
    hash: hash.digest('hex'),
  }
}

/** Replaces the machine's directory on the target with the upload (0700, root's). */
export async function sendUpload(ctx: SystemContext, layout: Layout, upload: Upload): Promise<void> {
  const dirs = ['config', 'modules', 'load-path'].map((d) => `${layout.dir}/${d}`)
  await must(ctx, ['rm', '-rf', '--', ...dirs, layout.channels], 'clearing the previous upload')
  const parents = new Set(upload.files.map((f) => path.posix.dirname(`${layout.dir}/${f.path}`)))
  await must(ctx, ['install', '-d', '-m', '0700', '--', layout.dir, ...parents], 'creating the upload directories')
  for (const file of upload.files) await ctx.host.upload(`${layout.dir}/${file.path}`, file.content, { mode: 0o600 })
}
