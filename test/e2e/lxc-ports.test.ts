// The lxc platform's `ports` option through the built CLI, on a real
// container: its sshd (container port 22) is reached from this host at
// 127.0.0.1 on the forwarded port after guix-ops has exited; a changed port
// is forwarded on the next deploy; stop closes it, start opens it again;
// destroy leaves no forwarder running. Reaching a port waits up to 20 s for
// sshd's greeting: on a loaded host the relay takes seconds.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { sshAnswers } from '@guix-ops/plugin-api'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { guixOps, tempDir } from '../support/cli.js'
import { lxcUnavailable } from '../support/lxc.js'
import { freePort } from '../support/ports.js'

vi.setConfig({ testTimeout: 300_000 })

const unavailable = lxcUnavailable()
if (unavailable) console.warn(`skipping the lxc ports test: ${unavailable}`)

/** Processes whose command line names `text`: a forwarder left running would. */
function processesMentioning(text: string): number[] {
  const pids: number[] = []
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text)) pids.push(Number(pid))
    } catch {
      // gone meanwhile
    }
  }
  return pids
}

describe.skipIf(unavailable !== undefined)('lxc platform: forwarded ports', () => {
  const stateDir = tempDir('guix-ops-lxc-ports-')
  const config = path.join(tempDir('guix-ops-lxc-ports-config-'), 'guix-ops.config.ts')
  let first: number
  let second: number
  const run = (args: string[], port: number) => guixOps(args, { stateDir, env: { SSH_FORWARD_PORT: String(port) } })

  beforeAll(async () => {
    first = await freePort()
    second = await freePort()
    writeFileSync(
      config,
      `export default { name: 'ports', machines: { web: { platform: { type: 'lxc', ports: { '22': Number(process.env.SSH_FORWARD_PORT) } }, system: { type: 'debian' } } } }\n`,
    )
    expect(run(['create', config], first).code).toBe(0)
  })

  afterAll(() => {
    run(['destroy', '-d', 'ports', '--yes'], first)
  })

  it("reaches the container's port from this host on 127.0.0.1 after guix-ops exited", async () => {
    const deployed = run(['deploy', '-d', 'ports'], first)
    expect(deployed.code, deployed.stderr).toBe(0)
    expect(await sshAnswers('127.0.0.1', first, 20_000), deployed.stderr).toBe(true)
  })

  it('forwards a changed host port on the next deploy, and lets the old one go', async () => {
    const deployed = run(['deploy', '-d', 'ports'], second)
    expect(deployed.code, deployed.stderr).toBe(0)
    expect(await sshAnswers('127.0.0.1', second, 20_000)).toBe(true)
    expect(await sshAnswers('127.0.0.1', first)).toBe(false)
  })

  it('stop closes the port, start opens it again', async () => {
    expect(run(['stop', '-d', 'ports', 'web'], second).code).toBe(0)
    expect(await sshAnswers('127.0.0.1', second)).toBe(false)
    expect(run(['start', '-d', 'ports', 'web'], second).code).toBe(0)
    expect(await sshAnswers('127.0.0.1', second, 20_000)).toBe(true)
  })

  it('destroy leaves no port open and no forwarder running', async () => {
    expect(run(['destroy', '-d', 'ports', '--yes'], second).code).toBe(0)
    expect(await sshAnswers('127.0.0.1', second)).toBe(false)
    expect(processesMentioning(stateDir)).toEqual([])
  })
})
