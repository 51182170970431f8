// The qemu platform passes the platform conformance suite with a real VM
// (TCG when KVM does not work here): boot, SSH with the host key read from
// the serial console, power off and on, reboot, re-provision, destroy.
import { describePlatformConformance } from '@guix-ops/platform-test-kit'
import qemu from '@guix-ops/plugin-qemu'
import { useImageCache, vmUnavailable } from '../support/qemu.js'

useImageCache()
const unavailable = vmUnavailable()

describePlatformConformance(qemu, {
  options: { memory: 512, cpus: 1, diskSize: '3G' },
  invalid: [
    { options: { memory: 'lots' }, path: 'memory' },
    { options: { memory: 100_000_000 }, path: 'memory' },
    { options: { diskSize: 'big' }, path: 'diskSize' },
    { options: { image: 'https://example.invalid/x.qcow2' }, path: 'imageSha256' },
    { options: { accel: 'fast' }, path: 'accel' },
    { options: { ports: { http: 8080 } }, path: 'ports.http' },
    { options: { bootTimeout: 1 }, path: 'bootTimeout' },
  ],
  timeoutMs: 600_000,
  ...(unavailable ? { skipLifecycle: unavailable } : {}),
})
