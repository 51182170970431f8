/**
 * The `debian` image builder: a small bootable Debian made from Debian's
 * packages with mmdebstrap (kernel, systemd, openssh-server), booted by QEMU
 * straight from its kernel and initrd. A unit in the image applies what
 * guix-ops passes on the kernel command line at boot: root's SSH key, the
 * host name and the private address. The image is cached under a hash of
 * its recipe, so a changed recipe makes a new image and an unchanged one is
 * built once.
 */
import { createHash } from 'node:crypto'
import { copyFile, mkdir, readdir, readFile, rm } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ProgressReporter } from '@guix-ops/plugin-api'
import { QemuError, qemuError } from '../errors.js'
import { run } from '../process.js'
import { cachedImage, type ImageInfo } from './cache.js'
import { debianMirror, hostCodename } from './host-apt.js'

const GUEST_DIR = fileURLToPath(new URL('../../guest/', import.meta.url))
const GUEST_FILES = ['guix-ops-init', 'guix-ops-init.service', '10-uplink.network']

/** Packages of the image; the rest comes with Debian's minbase variant. */
const PACKAGES = ['linux-image-cloud-amd64', 'systemd-sysv', 'udev', 'dbus', 'openssh-server', 'iproute2', 'e2fsprogs']
const ROOT_FS_SIZE = '2G'

export interface DebianRecipe {
  builder: 'debian'
  codename: string
  architecture: 'amd64'
  packages: string[]
  rootFsSize: string
  /** sha256 of each guest file, so a changed boot script makes a new image. */
  guestFiles: Record<string, string>
}

export async function debianRecipe(): Promise<DebianRecipe> {
  const codename = hostCodename()
  if (!codename)
    throw qemuError(
      QemuError.ImageBuild,
      'the debian image builder needs a Debian host: /etc/os-release names no release',
      {
        suggestion: 'use a local image file or an https URL as the image instead',
      },
    )
  const guestFiles: Record<string, string> = {}
  for (const file of GUEST_FILES)
    guestFiles[file] = createHash('sha256')
      .update(await readFile(path.join(GUEST_DIR, file)))
      .digest('hex')
  return {
    builder: 'debian',
    codename,
    architecture: 'amd64',
    packages: PACKAGES,
    rootFsSize: ROOT_FS_SIZE,
    guestFiles,
  }
}

export function recipeName(recipe: DebianRecipe): string {
  const hash = createHash('sha256').update(JSON.stringify(recipe)).digest('hex').slice(0, 12)
  return `debian-${recipe.codename}-${hash}`
}

/** Hooks run inside mmdebstrap; fixed text, never built from user input. */
function customizeHooks(): string[] {
  const guest = (file: string) => path.join(GUEST_DIR, file)
  return [
    `copy-in ${guest('guix-ops-init')} /usr/local/sbin`,
    `copy-in ${guest('guix-ops-init.service')} /etc/systemd/system`,
    `copy-in ${guest('10-uplink.network')} /etc/systemd/network`,
    'chmod 0755 "$1/usr/local/sbin/guix-ops-init"',
    'chroot "$1" systemctl enable guix-ops-init.service systemd-networkd.service ssh.service',
    // Each machine makes its own host keys on first boot; the image must not carry any.
    'rm -f "$1"/etc/ssh/ssh_host_* "$1/etc/hostname"',
    'printf "/dev/vda / ext4 errors=remount-ro 0 1\\n" > "$1/etc/fstab"',
    'rm -rf "$1"/var/cache/apt/archives/*.deb "$1"/var/lib/apt/lists/*_Packages',
  ]
}

/** The Debian package that provides each tool an image build runs (qemu-img otherwise). */
const PACKAGE_OF: Record<string, string> = { mmdebstrap: 'mmdebstrap', 'mkfs.ext4': 'e2fsprogs' }

async function must(argv: string[], what: string, onLine?: (line: string) => void, signal?: AbortSignal) {
  let result: Awaited<ReturnType<typeof run>>
  try {
    result = await run(argv, { ...(onLine ? { onLine } : {}), ...(signal ? { signal } : {}) })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      throw qemuError(QemuError.ImageBuild, `${what}: ${argv[0]} is not installed`, {
        suggestion: `install it (apt-get install ${PACKAGE_OF[argv[0]!] ?? 'qemu-utils'})`,
      })
    throw error
  }
  if (result.code !== 0) {
    const tail = (result.stderr || result.stdout).trim().split('\n').slice(-15).join('\n')
    throw qemuError(QemuError.ImageBuild, `${what} failed (exit ${result.code}):\n${tail}`)
  }
  return result
}

async function build(recipe: DebianRecipe, work: string, progress: ProgressReporter, signal?: AbortSignal) {
  const mirror = debianMirror(recipe.codename)
  if (!mirror)
    throw qemuError(QemuError.ImageBuild, `no Debian mirror for ${recipe.codename} in this machine's apt sources`, {
      suggestion: 'add one to /etc/apt/sources.list (the image is built from the mirror this machine uses)',
    })
  const root = path.join(work, 'root')
  await mkdir(root)
  progress.report(`building the debian ${recipe.codename} image with mmdebstrap`)
  await must(
    [
      'mmdebstrap',
      '--variant=minbase',
      `--include=${recipe.packages.join(',')}`,
      ...customizeHooks().map((hook) => `--customize-hook=${hook}`),
      recipe.codename,
      root,
      `deb ${mirror} ${recipe.codename} main`,
    ],
    'mmdebstrap',
    (line) => progress.report(`image: ${line.replace(/^I: /, '')}`),
    signal,
  )
  const boot = await readdir(path.join(root, 'boot'))
  const kernel = boot.find((f) => f.startsWith('vmlinuz-'))
  const initrd = boot.find((f) => f.startsWith('initrd.img-'))
  if (!kernel || !initrd) throw qemuError(QemuError.ImageBuild, 'the built image has no kernel or initrd in /boot')
  await copyFile(path.join(root, 'boot', kernel), path.join(work, 'vmlinuz'))
  await copyFile(path.join(root, 'boot', initrd), path.join(work, 'initrd.img'))
  progress.report('image: making the root file system')
  const raw = path.join(work, 'root.raw')
  await must(
    ['mkfs.ext4', '-q', '-d', root, '-L', 'guix-ops-root', raw, recipe.rootFsSize],
    'mkfs.ext4',
    undefined,
    signal,
  )
  await rm(root, { recursive: true, force: true })
  const disk = path.join(work, 'disk.qcow2')
  await must(['qemu-img', 'convert', '-O', 'qcow2', raw, disk], 'qemu-img convert', undefined, signal)
  await rm(raw, { force: true })
}

/** The cached debian image, built first if it is not there yet. */
export async function debianImage(progress: ProgressReporter, signal?: AbortSignal): Promise<ImageInfo> {
  const recipe = await debianRecipe()
  const image = await cachedImage(
    recipeName(recipe),
    async (work) => {
      await build(recipe, work, progress, signal)
      return {
        source: 'builder',
        origin: 'debian',
        disk: 'disk.qcow2',
        format: 'qcow2',
        kernel: 'vmlinuz',
        initrd: 'initrd.img',
        root: '/dev/vda',
        virtualSize: 2 * 1024 ** 3,
        recipe: { ...recipe },
      }
    },
    signal,
  )
  progress.report(`image ${image.name} ready`)
  return image
}
