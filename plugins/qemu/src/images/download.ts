/**
 * Images from an https URL: downloaded once into the cache, with progress,
 * and kept only when their sha256 is the one the config names.
 */
import { createHash } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import path from 'node:path'
import type { ProgressReporter } from '@guix-ops/plugin-api'
import { QemuError, qemuError } from '../errors.js'
import { cachedImage, type ImageInfo } from './cache.js'
import { inspectDisk } from './inspect.js'

async function fetchTo(url: string, file: string, progress: ProgressReporter, signal?: AbortSignal): Promise<string> {
  let response: Response
  try {
    response = await fetch(url, signal ? { signal } : {})
  } catch (error) {
    throw qemuError(
      QemuError.ImageDownload,
      `cannot download ${url}: ${(error as Error).cause ?? (error as Error).message}`,
    )
  }
  if (!response.ok || !response.body)
    throw qemuError(QemuError.ImageDownload, `cannot download ${url}: HTTP ${response.status} ${response.statusText}`)
  const total = Number(response.headers.get('content-length')) || undefined
  const hash = createHash('sha256')
  const out = createWriteStream(file, { mode: 0o644 })
  let done = 0
  let lastReport = 0
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    hash.update(chunk)
    if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()))
    done += chunk.length
    if (done - lastReport > 4 * 1024 * 1024 || done === total) {
      lastReport = done
      progress.report(`downloading ${url}`, { done, ...(total ? { total } : {}) })
    }
  }
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())))
  return hash.digest('hex')
}

export function downloadedImage(
  url: string,
  sha256: string,
  progress: ProgressReporter,
  signal?: AbortSignal,
): Promise<ImageInfo> {
  return cachedImage(
    `url-${sha256.slice(0, 16)}`,
    async (work) => {
      const actual = await fetchTo(url, path.join(work, 'disk'), progress, signal)
      if (actual !== sha256)
        throw qemuError(QemuError.ImageDownload, `${url} has sha256 ${actual}, not the ${sha256} the config names`, {
          suggestion: 'check imageSha256; the download was discarded',
        })
      const facts = await inspectDisk(path.join(work, 'disk'), 'image')
      return { source: 'url', origin: url, disk: 'disk', ...facts }
    },
    signal,
  )
}
