/**
 * The image cache: built and downloaded base images, one directory each,
 * under the user's cache dir (`GUIX_OPS_CACHE_DIR`, else
 * `$XDG_CACHE_HOME/guix-ops`, else `~/.cache/guix-ops`). A directory appears
 * only once complete (built aside, then renamed), so a half-built image is
 * never used.
 */
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import path from 'node:path'
import { buildOnce } from '../once.js'

export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.GUIX_OPS_CACHE_DIR) return env.GUIX_OPS_CACHE_DIR
  const base = env.XDG_CACHE_HOME || path.join(homedir(), '.cache')
  return path.join(base, 'guix-ops')
}

export const imagesDir = (): string => path.join(cacheDir(), 'images')

/** What `image.json` in an image's directory says of it. */
export interface ImageInfo {
  /** Directory name: `debian-bookworm-<hash>` or `url-<sha256 prefix>`. */
  name: string
  source: 'builder' | 'url' | 'file'
  /** The builder name or the URL. */
  origin: string
  createdAt: string
  /** The boot disk, qcow2. */
  disk: string
  format: 'qcow2' | 'raw'
  /** Set when the image boots a kernel directly rather than through firmware. */
  kernel?: string
  initrd?: string
  /** The root device the kernel mounts. */
  root?: string
  /** Virtual size of the disk in bytes; a machine's diskSize may not be smaller. */
  virtualSize: number
  /** What a builder made it from: the recipe whose hash names it. */
  recipe?: { [key: string]: unknown }
}

export async function readImage(dir: string): Promise<ImageInfo | undefined> {
  try {
    const info = JSON.parse(await readFile(path.join(dir, 'image.json'), 'utf8')) as ImageInfo
    return { ...info, disk: path.join(dir, info.disk), ...absolute(dir, info) }
  } catch {
    return undefined
  }
}

function absolute(dir: string, info: ImageInfo): Partial<ImageInfo> {
  return {
    ...(info.kernel ? { kernel: path.join(dir, info.kernel) } : {}),
    ...(info.initrd ? { initrd: path.join(dir, info.initrd) } : {}),
  }
}

export interface CachedImage extends ImageInfo {
  dir: string
  bytes: number
}

/** Every complete image in the cache, newest first. */
export async function listImages(): Promise<CachedImage[]> {
  const root = imagesDir()
  let names: string[]
  try {
    names = await readdir(root)
  } catch {
    return []
  }
  const images: CachedImage[] = []
  for (const name of names.filter((n) => !n.startsWith('.'))) {
    const dir = path.join(root, name)
    const info = await readImage(dir)
    if (!info) continue
    let bytes = 0
    for (const file of await readdir(dir)) bytes += (await stat(path.join(dir, file))).size
    images.push({ ...info, dir, bytes })
  }
  return images.sort((a, b) => b.createdAt.localeCompare(a.createdAt))
}

export async function removeImage(name: string): Promise<boolean> {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) return false
  const dir = path.join(imagesDir(), name)
  if (!(await readImage(dir))) return false
  await rm(dir, { recursive: true, force: true })
  return true
}

export async function ensureImagesDir(): Promise<string> {
  const root = imagesDir()
  await mkdir(root, { recursive: true, mode: 0o755 })
  return root
}

/**
 * The image named `name` from the cache, made by `make` if it is not there:
 * `make` fills a private work directory and returns the image's description
 * (paths relative to it); the directory becomes the image only once complete,
 * and only one process makes a given image at a time.
 */
export async function cachedImage(
  name: string,
  make: (work: string) => Promise<Omit<ImageInfo, 'name' | 'createdAt'>>,
  signal?: AbortSignal,
): Promise<ImageInfo> {
  const root = await ensureImagesDir()
  const dir = path.join(root, name)
  return buildOnce(
    path.join(root, `.lock-${name}`),
    () => readImage(dir),
    async () => {
      const work = `${dir}.work-${process.pid}`
      await rm(work, { recursive: true, force: true })
      await mkdir(work, { recursive: true })
      try {
        const info: ImageInfo = { name, createdAt: new Date().toISOString(), ...(await make(work)) }
        await writeFile(path.join(work, 'image.json'), `${JSON.stringify(info, null, 2)}\n`)
        await rename(work, dir)
        return (await readImage(dir))!
      } catch (error) {
        await rm(work, { recursive: true, force: true })
        throw error
      }
    },
    signal,
  )
}
