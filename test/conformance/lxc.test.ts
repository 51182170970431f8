// The lxc platform passes the platform conformance suite with a real
// container: a clone of the cached Debian base, reached over SSH on
// lxc-net's bridge with the host key read from its files, shut down and
// started, rebooted, re-provisioned as a no-op, destroyed.
import { describePlatformConformance } from '@guix-ops/platform-test-kit'
import lxc from '@guix-ops/plugin-lxc'
import { lxcUnavailable } from '../support/lxc.js'

const unavailable = lxcUnavailable()

describePlatformConformance(lxc, {
  options: { memory: 512, cpus: 1 },
  invalid: [
    { options: { release: 'potato' }, path: 'release' },
    { options: { arch: 's390x' }, path: 'arch' },
    { options: { unprivileged: 'yes' }, path: 'unprivileged' },
    { options: { memory: 'lots' }, path: 'memory' },
    { options: { memory: 100_000_000 }, path: 'memory' },
    { options: { cpus: 0 }, path: 'cpus' },
    { options: { mounts: [{ source: 'relative', target: '/srv' }] }, path: 'mounts.0.source' },
    { options: { ports: { http: 8080 } }, path: 'ports.http' },
    { options: { autostart: 'always' }, path: 'autostart' },
  ],
  timeoutMs: 300_000,
  ...(unavailable ? { skipLifecycle: unavailable } : {}),
})
