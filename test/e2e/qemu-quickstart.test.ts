// The quick start, end to end on two real VMs (TCG): create and deploy
// examples/quickstart (db's packages and web's pushed over SSH, no mirror
// reachable from the VMs), web answers over HTTP with what it read from db
// across the private network; ssh; stop and start db and its data is still
// there; reboot web; destroy leaves no process, no file and no open port.
import { existsSync, readdirSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { guixOps, guixOpsAsync, json, ROOT, tempDir } from '../support/cli.js'
import { freePort, listening } from '../support/ports.js'
import { qemuProcessesMentioning, useImageCache, vmUnavailable } from '../support/qemu.js'

useImageCache()
const unavailable = vmUnavailable()
if (unavailable) process.stderr.write(`quick start VM test skipped: ${unavailable}\n`)

const CONFIG = path.join(ROOT, 'examples/quickstart/guix-ops.config.ts')
const LONG = 1_200_000

describe.skipIf(Boolean(unavailable))('the quick start on two VMs', () => {
  const stateDir = tempDir('guix-ops-quickstart-')
  let webPort: number
  let env: Record<string, string>
  const run = (args: string[]) => guixOps(args, { stateDir, env, timeoutMs: LONG })
  const runAsync = (args: string[]) => guixOpsAsync(args, { stateDir, env, timeoutMs: LONG })
  const page = async () => (await fetch(`http://127.0.0.1:${webPort}/`)).text()
  type Info = { state: { machines: Record<string, { address?: string; resource?: { sshPort: number } }> } }
  const info = () => json<Info>(run(['info', '-d', 'quickstart', '--json']))

  beforeAll(async () => {
    webPort = await freePort()
    env = { QUICKSTART_WEB_PORT: String(webPort) }
    expect(run(['create', CONFIG]).code).toBe(0)
  })

  afterAll(async () => {
    // Whatever happened above, leave no VM running.
    if (qemuProcessesMentioning(stateDir).length > 0) await runAsync(['destroy', '-d', 'quickstart', '--yes'])
  }, LONG)

  it(
    'deploys db, then web with db address, and web answers with what it read from db',
    async () => {
      const deployed = await runAsync(['deploy', '-d', 'quickstart', '--json'])
      const summary = json<{ changed: string[]; failed: unknown[] }>(deployed)
      expect(summary.failed, deployed.stderr).toEqual([])
      expect(summary.changed.sort()).toEqual(['db', 'web'])
      const { machines } = info().state
      expect(machines.db?.address).toMatch(/^10\.77\.0\.\d+$/)
      expect(await page()).toBe(
        `Hello from web! The database at ${machines.db!.address}:6379 has counted 1 visit(s).\n`,
      )
      expect(await page()).toContain('has counted 2 visit(s)')
    },
    LONG,
  )

  it('ssh runs a command on a VM and passes its output and exit code through', () => {
    const result = run(['ssh', '-d', 'quickstart', 'web', '--', 'cat', '/etc/quickstart/db.env'])
    expect(result.code).toBe(0)
    expect(result.stdout).toBe(`DB_HOST=${info().state.machines.db!.address}\nDB_PORT=6379\n`)
    expect(run(['ssh', '-d', 'quickstart', 'db', '--', 'sh', '-c', 'exit 7']).code).toBe(7)
  })

  it(
    'a second deploy changes nothing',
    async () => {
      const again = json<{ changed: string[]; unchanged: string[] }>(
        await runAsync(['deploy', '-d', 'quickstart', '--json']),
      )
      expect(again.changed).toEqual([])
      expect(again.unchanged.sort()).toEqual(['db', 'web'])
    },
    LONG,
  )

  it(
    'stop and start db: the data on its disk survived',
    async () => {
      expect(run(['ssh', '-d', 'quickstart', 'db', '--', 'redis-cli', 'SAVE']).stdout).toContain('OK')
      const stopped = json<{ machine: string; status: string }[]>(
        await runAsync(['stop', '-d', 'quickstart', 'db', '--json']),
      )
      expect(stopped).toEqual([expect.objectContaining({ machine: 'db', status: 'stopped' })])
      expect(await page()).toMatch(/counted .*(refused|Could not connect)/i)
      const started = json<{ machine: string; status: string }[]>(
        await runAsync(['start', '-d', 'quickstart', 'db', '--json']),
      )
      expect(started).toEqual([expect.objectContaining({ machine: 'db', status: 'up' })])
      expect(await page()).toContain('has counted 3 visit(s)')
    },
    LONG,
  )

  it(
    'reboot web: it comes back with the same host key and serves again',
    async () => {
      const rebooted = await runAsync(['reboot', '-d', 'quickstart', 'web', '--json'])
      expect(rebooted.code, rebooted.stderr).toBe(0)
      expect(run(['ssh', '-d', 'quickstart', 'web', '--', 'true']).code).toBe(0) // pinned key still matches
      expect(await page()).toContain('has counted 4 visit(s)')
    },
    LONG,
  )

  it(
    'destroy leaves no QEMU process, no VM file and no open port; then the deployment can be deleted',
    async () => {
      const ports = Object.values(info().state.machines).map((m) => m.resource!.sshPort)
      const destroyed = await runAsync(['destroy', '-d', 'quickstart', '--yes', '--json'])
      expect(destroyed.code, destroyed.stderr).toBe(0)
      expect(qemuProcessesMentioning(stateDir)).toEqual([])
      const left = readdirSync(stateDir, { recursive: true }).map(String)
      expect(left.filter((f) => /\.(qcow2|log|pid|sock)$|qemu-ssh-key|qemu-network/.test(f))).toEqual([])
      for (const port of [...ports, webPort]) expect(await listening(port)).toBe(false)
      expect(run(['delete', '-d', 'quickstart']).code).toBe(0)
      expect(existsSync(path.join(stateDir, 'shared'))).toBe(true) // the parent stays; this deployment's dir is gone
      expect(readdirSync(path.join(stateDir, 'shared'))).toEqual([])
    },
    LONG,
  )
})
