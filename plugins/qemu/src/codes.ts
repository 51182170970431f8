/**
 * The qemu platform's error codes, with what each means and what to do about
 * it: the one place they are declared. docs/errors.md is generated from them.
 */
import { describeErrorCodes, type ErrorCodeDoc } from '@guix-ops/plugin-api'

export const QemuError = {
  NotInstalled: 'E_QEMU_NOT_INSTALLED',
  Image: 'E_QEMU_IMAGE',
  ImageUnknown: 'E_QEMU_IMAGE_UNKNOWN',
  ImageBuild: 'E_QEMU_IMAGE_BUILD',
  ImageDownload: 'E_QEMU_IMAGE_DOWNLOAD',
  Launch: 'E_QEMU_LAUNCH',
  Boot: 'E_QEMU_BOOT',
  BootTimeout: 'E_QEMU_BOOT_TIMEOUT',
  Qmp: 'E_QEMU_QMP',
  Network: 'E_QEMU_NETWORK',
  Aborted: 'E_QEMU_ABORTED',
  Recreate: 'E_QEMU_RECREATE',
} as const

/** Every code above with what it means and what to do about it: what docs/errors.md lists. */
export const errorReference: readonly ErrorCodeDoc[] = describeErrorCodes('E_QEMU_', QemuError, {
  NotInstalled: {
    meaning: 'QEMU or one of its tools is not installed here',
    hint: 'apt-get install qemu-system-x86 qemu-utils',
  },
  Image: {
    meaning: 'a VM image is missing, corrupt or too big for `diskSize`',
    hint: 'give an existing qcow2 or raw file, an https URL with imageSha256, guix:FILE.scm, or a builder',
  },
  ImageUnknown: {
    meaning: '`image rm` of an image not in the cache',
    hint: '`guix-ops image list` shows the cached images',
  },
  ImageBuild: {
    meaning: 'a VM image could not be built',
    hint: "the builder's own error is in the message; install what it names",
  },
  ImageDownload: {
    meaning: 'a VM image could not be downloaded, or its checksum differs',
    hint: 'check the URL and imageSha256; a bad download is discarded',
  },
  Launch: {
    meaning: 'QEMU did not start (a taken port, a missing binary)',
    hint: 'free the port named, or choose another in `ports`',
  },
  Boot: {
    meaning: 'the VM died while booting',
    hint: 'read the serial log the message names',
  },
  BootTimeout: {
    meaning: 'SSH never came up on the VM within `bootTimeout`',
    hint: 'read the serial log the message names, or raise bootTimeout',
  },
  Qmp: {
    meaning: "the VM's QMP control socket failed",
    hint: 'the machine may have died; `guix-ops info` shows its status',
  },
  Network: {
    meaning: "the private network switch between a deployment's VMs failed",
    hint: 'the message names the switch and why',
  },
  Aborted: {
    meaning: 'a boot was interrupted',
    hint: 'deploy again to finish it',
  },
  Recreate: {
    meaning:
      'an option changed that an existing VM cannot take (memory, cpus, disk, image, accel, ports, extraArgs); it was left as it is',
    hint: 'to apply it, destroy the machine and deploy it again: a new VM, with its disk made anew',
  },
})
