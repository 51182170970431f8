/**
 * `image: 'guix:./os.scm'`: a Guix System image built on this machine with
 * `guix system image` from an `operating-system` file, copied into the cache
 * under its store path's hash (the store path changes whenever the system
 * does, so a changed config makes a new image). Needs `guix` here. Such an
 * image boots through its own bootloader; root's SSH key must be in the
 * config (openssh-service-type's authorized-keys), and the host key is pinned
 * on first contact.
 */
import { copyFile } from 'node:fs/promises'
import path from 'node:path'
import type { ProgressReporter } from '@guix-ops/plugin-api'
import { QemuError, qemuError } from '../errors.js'
import { run } from '../process.js'
import { cachedImage, type ImageInfo } from './cache.js'
import { inspectDisk } from './inspect.js'

export const GUIX_PREFIX = 'guix:'

export async function guixImage(
  spec: string,
  options: { configDir?: string | undefined; progress: ProgressReporter; signal?: AbortSignal },
): Promise<ImageInfo> {
  const config = path.resolve(options.configDir ?? process.cwd(), spec.slice(GUIX_PREFIX.length))
  options.progress.report(`building a Guix System image from ${config} (guix system image)`)
  let built: Awaited<ReturnType<typeof run>>
  try {
    built = await run(['guix', 'system', 'image', '--image-type=qcow2', '--', config], {
      onLine: (line) => options.progress.report(`guix: ${line}`),
      ...(options.signal ? { signal: options.signal } : {}),
    })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      throw qemuError(QemuError.ImageBuild, `image ${spec}: guix is not installed on this machine`, {
        suggestion: `build it where guix is (guix system image --image-type=qcow2 ${spec.slice(GUIX_PREFIX.length)}) and give the file as image`,
      })
    throw error
  }
  const storePath = built.stdout.trim().split('\n').at(-1) ?? ''
  if (built.code !== 0 || !storePath.startsWith('/gnu/store/'))
    throw qemuError(
      QemuError.ImageBuild,
      `guix system image failed (exit ${built.code}): ${built.stderr.trim().split('\n').slice(-8).join('\n')}`,
    )
  return cachedImage(`guix-${path.basename(storePath).slice(0, 32)}`, async (work) => {
    // Out of the read-only store, so the overlay's backing file stays put even after a guix gc.
    await copyFile(storePath, path.join(work, 'disk.qcow2'))
    const facts = await inspectDisk(path.join(work, 'disk.qcow2'), `image ${spec}`)
    return { source: 'builder', origin: storePath, disk: 'disk.qcow2', ...facts }
  })
}
