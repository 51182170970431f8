/** Turns a machine's `image` option into a base image on disk: a local file, a download, or a build. */
import { access } from 'node:fs/promises'
import path from 'node:path'
import type { ProgressReporter } from '@guix-ops/plugin-api'
import { QemuError, qemuError } from '../errors.js'
import type { ImageInfo } from './cache.js'
import { debianImage } from './debian.js'
import { downloadedImage } from './download.js'
import { GUIX_PREFIX, guixImage } from './guix.js'
import { inspectDisk } from './inspect.js'

export const BUILDERS = ['debian'] as const

export async function resolveImage(
  image: string,
  sha256: string | undefined,
  options: { configDir?: string | undefined; progress: ProgressReporter; signal?: AbortSignal },
): Promise<ImageInfo> {
  if (image.startsWith('https://')) return downloadedImage(image, sha256!, options.progress, options.signal)
  if ((BUILDERS as readonly string[]).includes(image)) return debianImage(options.progress, options.signal)
  if (image.startsWith(GUIX_PREFIX)) return guixImage(image, options)
  const file = path.resolve(options.configDir ?? process.cwd(), image)
  try {
    await access(file)
  } catch {
    throw qemuError(QemuError.Image, `image ${image}: no such file (${file})`, {
      suggestion: `give an existing qcow2 or raw file, an https URL with imageSha256, guix:FILE.scm, or a builder: ${BUILDERS.join(', ')}`,
    })
  }
  const facts = await inspectDisk(file, `image ${image}`)
  return { name: path.basename(file), source: 'file', origin: file, createdAt: '', disk: file, ...facts }
}
