// How the qemu platform fails, with real QEMU: each failure is reported with
// its cause (and the serial log's tail when the guest got that far), records
// no machine in state, and leaves no QEMU process and no disk behind.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import path from 'node:path'
import { execa } from 'execa'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { BIN, guixOps, guixOpsAsync, json, type RunResult, tempDir } from '../support/cli.js'
import { IMAGE_CACHE, qemuProcessesMentioning, useImageCache, vmUnavailable } from '../support/qemu.js'

// Each case starts real QEMU; on a busy machine (other VMs booting beside) that takes minutes, not seconds.
vi.setConfig({ testTimeout: 600_000 })
useImageCache()
const unavailable = vmUnavailable()
const hasGuix = spawnSync('sh', ['-c', 'command -v guix']).status === 0
if (unavailable) process.stderr.write(`qemu failure tests skipped: ${unavailable}\n`)

interface Setup {
  stateDir: string
  configDir: string
}

/** A one-machine deployment `vm` with the given platform options, created in a fresh state dir. */
function deployment(name: string, platform: Record<string, unknown>): Setup {
  const configDir = tempDir('guix-ops-qemu-fail-')
  const stateDir = tempDir('guix-ops-qemu-state-')
  const config = {
    name,
    machines: {
      vm: { platform: { type: 'qemu', memory: 512, diskSize: '3G', ...platform }, system: { type: 'debian' } },
    },
  }
  writeFileSync(path.join(configDir, 'guix-ops.config.json'), JSON.stringify(config))
  const created = guixOps(['create', path.join(configDir, 'guix-ops.config.json')], { stateDir })
  expect(created.code, created.stderr).toBe(0)
  return { stateDir, configDir }
}

/** After a failed deploy: no machine in state, no QEMU process, no disk. */
function nothingLeft(setup: Setup, name: string): void {
  const info = json<{ state: { machines: Record<string, { resource?: unknown }> } }>(
    guixOps(['info', '-d', name, '--json'], { stateDir: setup.stateDir }),
  )
  expect(info.state.machines.vm?.resource).toBeUndefined()
  expect(qemuProcessesMentioning(setup.stateDir)).toEqual([])
  const disks = readdirSync(setup.stateDir, { recursive: true }).filter((f) => String(f).endsWith('.qcow2'))
  expect(disks).toEqual([])
}

const deploy = (setup: Setup, name: string) =>
  guixOps(['deploy', '-d', name, '--json'], { stateDir: setup.stateDir, timeoutMs: 600_000 })

const failure = (result: RunResult) =>
  json<{ failed: { machine: string; error: string }[] }>(result).failed[0]?.error ?? result.stderr

describe.skipIf(Boolean(unavailable))('qemu platform failures (real QEMU, TCG)', () => {
  beforeAll(async () => {
    // The base image, built once for every VM test (cached under IMAGE_CACHE).
    const built = await execa(process.execPath, [BIN, 'image', 'build', 'debian'], {
      env: { ...process.env, GUIX_OPS_CACHE_DIR: IMAGE_CACHE },
      reject: false,
    })
    expect(built.exitCode, built.stderr).toBe(0)
  }, 900_000)

  it('an image file that does not exist is named, with what image may be', () => {
    const setup = deployment('missing', { image: './nope.qcow2' })
    const result = deploy(setup, 'missing')
    expect(result.code).toBe(1)
    expect(failure(result)).toContain(`no such file (${path.join(setup.configDir, 'nope.qcow2')})`)
    nothingLeft(setup, 'missing')
  })

  it('a corrupt qcow2 image is refused before any VM starts', () => {
    const setup = deployment('corrupt', { image: './broken.qcow2' })
    const image = path.join(setup.configDir, 'broken.qcow2')
    expect(execaSyncOk(['qemu-img', 'create', '-q', '-f', 'qcow2', image, '1G'])).toBe(true)
    truncateSync(image, 100)
    const result = deploy(setup, 'corrupt')
    expect(result.code).toBe(1)
    expect(failure(result)).toMatch(/broken\.qcow2 is (not a readable disk image|a corrupt qcow2 image)/)
    nothingLeft(setup, 'corrupt')
  })

  it.skipIf(hasGuix)('a Guix System image needs guix on this machine, and says how to do without', () => {
    const setup = deployment('guix-image', { image: 'guix:./os.scm' })
    writeFileSync(path.join(setup.configDir, 'os.scm'), '(operating-system)\n')
    const result = deploy(setup, 'guix-image')
    expect(result.code).toBe(1)
    expect(failure(result)).toContain('image guix:./os.scm: guix is not installed on this machine')
    nothingLeft(setup, 'guix-image')
  })

  describe('a forwarded port that is taken', () => {
    let server: Server
    let port: number
    beforeAll(async () => {
      server = createServer()
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
      port = (server.address() as { port: number }).port
    })
    afterAll(() => server.close())

    it('stops the launch with QEMU own words and names the port', () => {
      const setup = deployment('port', { ports: { '80': port } })
      const result = deploy(setup, 'port')
      expect(result.code).toBe(1)
      const error = failure(result)
      expect(error).toContain('QEMU did not start')
      expect(error).toContain(`127.0.0.1:${port}`)
      nothingLeft(setup, 'port')
    })
  })

  it('SSH that never comes up times out naming the serial log, which is kept to read', () => {
    const setup = deployment('slow', { bootTimeout: 10 })
    const result = deploy(setup, 'slow')
    expect(result.code).toBe(1)
    const error = failure(result)
    const log = /serial log (\S+serial\.log)/.exec(error)?.[1]
    expect(error).toContain('SSH did not come up within 10 s')
    expect(log && existsSync(log)).toBe(true)
    expect(readFileSync(log!, 'utf8')).toMatch(/Linux version|SeaBIOS|Booting/)
    nothingLeft(setup, 'slow')
  }, 120_000)

  it('a VM that dies while booting is reported with the end of its serial log', async () => {
    const setup = deployment('dies', {})
    const running = guixOpsAsync(['deploy', '-d', 'dies', '--json'], { stateDir: setup.stateDir, timeoutMs: 600_000 })
    const pid = await waitForQemu(setup.stateDir)
    await new Promise((r) => setTimeout(r, 3000)) // let it print something first
    process.kill(pid, 'SIGKILL')
    const result = await running
    expect(result.code).toBe(1)
    const error = failure(result)
    expect(error).toContain('the VM stopped while booting; the end of its serial log')
    expect(error).toMatch(/\| /) // the log's lines
    nothingLeft(setup, 'dies')
  }, 120_000)

  it('Ctrl-C while provisioning leaves no QEMU process and no disk', async () => {
    const setup = deployment('interrupted', {})
    const cli = execa(process.execPath, [BIN, 'deploy', '-d', 'interrupted'], {
      env: { ...process.env, GUIX_OPS_STATE_DIR: setup.stateDir, GUIX_OPS_CACHE_DIR: IMAGE_CACHE },
      reject: false,
    })
    await waitForQemu(setup.stateDir)
    cli.kill('SIGINT')
    const result = await cli
    expect(result.exitCode).not.toBe(0)
    nothingLeft(setup, 'interrupted')
  }, 120_000)
})

function execaSyncOk(argv: string[]): boolean {
  return spawnSync(argv[0]!, argv.slice(1)).status === 0
}

/** The pid of the VM's QEMU once it has daemonized (its pid file exists and names a live process). */
async function waitForQemu(stateDir: string): Promise<number> {
  for (let i = 0; i < 1200; i++) {
    const pidFile = readdirSync(stateDir, { recursive: true }).find((f) => String(f).endsWith('qemu.pid'))
    const pid = pidFile ? Number(readFileSync(path.join(stateDir, String(pidFile)), 'utf8').trim()) : 0
    if (pid > 0 && qemuProcessesMentioning(stateDir).includes(pid)) return pid
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error('no QEMU process started')
}
