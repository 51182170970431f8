/** The qemu platform's error codes, and one way to raise them with the machine named. */
import { GuixOpsError } from '@guix-ops/plugin-api'

export const QemuError = {
  NotInstalled: 'E_QEMU_NOT_INSTALLED',
  Image: 'E_QEMU_IMAGE',
  ImageBuild: 'E_QEMU_IMAGE_BUILD',
  ImageDownload: 'E_QEMU_IMAGE_DOWNLOAD',
  Launch: 'E_QEMU_LAUNCH',
  Boot: 'E_QEMU_BOOT',
  BootTimeout: 'E_QEMU_BOOT_TIMEOUT',
  Qmp: 'E_QEMU_QMP',
  Network: 'E_QEMU_NETWORK',
  Aborted: 'E_QEMU_ABORTED',
} as const

export function qemuError(
  code: (typeof QemuError)[keyof typeof QemuError],
  message: string,
  options: { machine?: string; suggestion?: string; cause?: unknown } = {},
): GuixOpsError {
  return new GuixOpsError(code, message, {
    where: { plugin: 'qemu', ...(options.machine ? { machine: options.machine } : {}) },
    ...(options.suggestion ? { suggestion: options.suggestion } : {}),
    ...(options.cause ? { cause: options.cause } : {}),
  })
}
