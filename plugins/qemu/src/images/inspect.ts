/** Reads a disk image's format and size with `qemu-img info`; a file that is no image fails here, clearly. */
import { QemuError, qemuError } from '../errors.js'
import { run } from '../process.js'

export interface DiskFacts {
  format: 'qcow2' | 'raw'
  virtualSize: number
}

export async function inspectDisk(file: string, where: string): Promise<DiskFacts> {
  let result: Awaited<ReturnType<typeof run>>
  try {
    result = await run(['qemu-img', 'info', '--output=json', '--', file])
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      throw qemuError(QemuError.NotInstalled, 'qemu-img is not installed', { suggestion: 'apt-get install qemu-utils' })
    throw error
  }
  if (result.code !== 0)
    throw qemuError(QemuError.Image, `${where}: ${file} is not a readable disk image: ${result.stderr.trim()}`)
  const info = JSON.parse(result.stdout) as { format: string; 'virtual-size': number }
  if (info.format !== 'qcow2' && info.format !== 'raw')
    throw qemuError(QemuError.Image, `${where}: ${file} is a ${info.format} image; expected qcow2 or raw`, {
      suggestion: `convert it: qemu-img convert -O qcow2 ${file} image.qcow2`,
    })
  if (info.format === 'qcow2') {
    const check = await run(['qemu-img', 'check', '-q', '--', file])
    if (check.code !== 0)
      throw qemuError(
        QemuError.Image,
        `${where}: ${file} is a corrupt qcow2 image: ${check.stderr.trim() || check.stdout.trim()}`,
      )
  }
  return { format: info.format, virtualSize: info['virtual-size'] }
}
