/**
 * What the VM tests need: QEMU, qemu-img and mmdebstrap, root (mmdebstrap
 * builds the base image as root here), and one image cache shared by every
 * test file so the image is built once per machine, not once per test.
 */
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { ROOT } from './cli.js'

export const IMAGE_CACHE: string = process.env.GUIX_OPS_CACHE_DIR ?? path.join(ROOT, '.tools/cache')

/** Points this process (and the CLIs it starts) at the shared image cache. */
export function useImageCache(): void {
  process.env.GUIX_OPS_CACHE_DIR = IMAGE_CACHE
}

const has = (program: string) => spawnSync('sh', ['-c', 'command -v "$1"', 'sh', program]).status === 0

export function vmUnavailable(): string | undefined {
  for (const [program, pkg] of [
    ['qemu-system-x86_64', 'qemu-system-x86'],
    ['qemu-img', 'qemu-utils'],
    ['mmdebstrap', 'mmdebstrap'],
  ] as const)
    if (!has(program)) return `${program} is not installed (apt-get install ${pkg})`
  if (process.getuid?.() !== 0) return 'the VM tests build their base image as root'
  return undefined
}

/** qemu processes whose command line mentions `text` (a state dir, a pid file). */
export function qemuProcessesMentioning(text: string): number[] {
  const result = spawnSync('pgrep', ['-f', '--', `qemu-system.*${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`], {
    encoding: 'utf8',
  })
  return result.stdout.split('\n').filter(Boolean).map(Number)
}
