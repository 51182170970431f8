/**
 * KVM or TCG. `/dev/kvm` existing is not enough: on some hosts it opens but
 * guests hang. So KVM is used only if a real guest boots with it: the
 * image's kernel must print its banner on the serial console within a few
 * seconds. The answer is remembered per host boot.
 */
import { access, constants, mkdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { cacheDir } from './images/cache.js'
import { run } from './process.js'

export interface Acceleration {
  accel: 'kvm' | 'tcg'
  /** Why TCG, when it is TCG: shown once as a notice. */
  reason?: string
}

async function kvmBoots(kernel: string): Promise<boolean> {
  const result = await run([
    'timeout',
    '8',
    'qemu-system-x86_64',
    '-machine',
    'q35,accel=kvm',
    '-m',
    '128',
    '-nodefaults',
    '-display',
    'none',
    '-no-reboot',
    '-kernel',
    kernel,
    '-append',
    'console=ttyS0 panic=-1',
    '-serial',
    'stdio',
  ])
  return result.stdout.includes('Linux version')
}

export async function chooseAcceleration(
  wanted: 'auto' | 'kvm' | 'tcg',
  kernel: string | undefined,
): Promise<Acceleration> {
  if (wanted === 'tcg') return { accel: 'tcg' }
  try {
    await access('/dev/kvm', constants.R_OK | constants.W_OK)
  } catch {
    return { accel: 'tcg', reason: '/dev/kvm is missing or not accessible' }
  }
  if (wanted === 'kvm' || !kernel) return { accel: 'kvm' }
  const bootId = (await readFile('/proc/sys/kernel/random/boot_id', 'utf8').catch(() => '')).trim()
  const memo = path.join(cacheDir(), `kvm-probe-${bootId}`)
  const known = await readFile(memo, 'utf8').catch(() => '')
  const works = known ? known === 'kvm' : await kvmBoots(kernel)
  if (!known && bootId) {
    await mkdir(cacheDir(), { recursive: true })
    await writeFile(memo, works ? 'kvm' : 'tcg')
  }
  return works ? { accel: 'kvm' } : { accel: 'tcg', reason: '/dev/kvm is there but a guest does not run with it' }
}
