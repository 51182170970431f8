// The built-in managed platform passes the platform conformance suite
// against a real sshd on 127.0.0.1.
import { PluginRegistry } from '@guix-ops/core'
import { describePlatformConformance } from '@guix-ops/platform-test-kit'
import { afterAll, beforeAll } from 'vitest'
import { sshdUnavailable, startSshd, type TestSshd } from '../support/sshd.js'

const managed = await PluginRegistry.discover({}).platform('managed')
const unavailable = sshdUnavailable()
let sshd: TestSshd | undefined

beforeAll(async () => {
  if (!unavailable) sshd = await startSshd()
})
afterAll(async () => {
  await sshd?.stop()
})

describePlatformConformance(managed, {
  options: () => ({
    host: '127.0.0.1',
    port: sshd?.port ?? 22,
    user: sshd?.user ?? 'root',
    identity: sshd?.identity ?? '/nonexistent',
  }),
  invalid: [
    { options: { port: 22 }, path: 'host' },
    { options: { host: 'h', port: 70000 }, path: 'port' },
    { options: { host: 'h', hostKey: 'not a key' }, path: 'hostKey' },
    { options: { host: 'h', jump: 'a b' }, path: 'jump' },
    { options: { host: 'h', memory: 512 }, path: '' },
  ],
  timeoutMs: 20_000,
  // The sshd here runs on the machine running the tests: never reboot it. Rebooting is tested on a container (test/e2e).
  skipReboot: 'the managed host here is the machine running the tests',
  ...(unavailable ? { skipLifecycle: unavailable } : {}),
})
