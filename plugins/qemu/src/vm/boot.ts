/**
 * Starting a VM and waiting until it can be reached: QEMU daemonizes once
 * its devices are set up (so a taken port or a bad image fails here, with
 * QEMU's own message), then the guest prints its SSH host key on the serial
 * console and sshd answers on the forwarded port.
 */
import { open, stat } from 'node:fs/promises'
import { sshAnswers, waitUntil } from '@guix-ops/plugin-api'
import { QemuError, qemuError } from '../errors.js'
import { livePid, run } from '../process.js'

export interface BootWatch {
  serialLog: string
  pidFile: string
  sshPort: number
  /** Serial log size before this boot: only what comes after counts. */
  logOffset: number
  timeoutMs: number
  /** False for images without guix-ops' init script and no cloud-init key block: the key is pinned on first contact. */
  needHostKey: boolean
  machine: string
  signal?: AbortSignal | undefined
  onProgress?: (message: string) => void
}

export async function logSize(file: string): Promise<number> {
  return stat(file).then(
    (s) => s.size,
    () => 0,
  )
}

async function readFrom(file: string, offset: number): Promise<string> {
  const handle = await open(file, 'r').catch(() => undefined)
  if (!handle) return ''
  try {
    const { size } = await handle.stat()
    const length = Math.max(0, size - offset)
    const buffer = Buffer.alloc(length)
    await handle.read(buffer, 0, length, offset)
    return buffer.toString('utf8')
  } finally {
    await handle.close()
  }
}

/** The last lines of the serial log, for errors: what the guest said before it failed. */
export async function logTail(file: string, offset = 0, lines = 12): Promise<string> {
  const text = (await readFrom(file, offset)).replace(/\r/g, '')
  return text
    .split('\n')
    .filter((l) => l.trim())
    .slice(-lines)
    .map((l) => `  | ${l}`)
    .join('\n')
}

/** The SSH host key the guest printed on this boot (our init script, or cloud-init's key block). */
export function hostKeyIn(log: string): string | undefined {
  const ours = [...log.matchAll(/guix-ops-host-key: (ssh-ed25519 [A-Za-z0-9+/=]+)/g)].at(-1)?.[1]
  if (ours) return ours
  const block = /-----BEGIN SSH HOST KEY KEYS-----([\s\S]*?)-----END SSH HOST KEY KEYS-----/.exec(log)?.[1]
  return /(ssh-ed25519 [A-Za-z0-9+/=]+)/.exec(block ?? '')?.[1]
}

export async function launch(argv: string[], machine: string): Promise<void> {
  let result: Awaited<ReturnType<typeof run>>
  try {
    result = await run(argv)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      throw qemuError(QemuError.NotInstalled, `${argv[0]} is not installed`, {
        machine,
        suggestion: 'apt-get install qemu-system-x86 qemu-utils',
      })
    throw error
  }
  if (result.code !== 0) {
    const message = result.stderr.trim().replace(/^qemu-system-\w+: /gm, '')
    const port = /host forwarding rule '[^']*127\.0\.0\.1:(\d+)/.exec(message)?.[1]
    throw qemuError(QemuError.Launch, `QEMU did not start: ${message}`, {
      machine,
      ...(port ? { suggestion: `port ${port} on 127.0.0.1 is taken; free it or choose another in ports` } : {}),
    })
  }
}

/** Waits for the host key and SSH; fails with the serial log's tail if QEMU dies or time runs out. */
export async function waitForBoot(watch: BootWatch): Promise<string | undefined> {
  const aborted = () => qemuError(QemuError.Aborted, 'interrupted while the VM was booting', { machine: watch.machine })
  let hostKey: string | undefined
  let said = ''
  const reachable = async (): Promise<{ hostKey: string | undefined } | undefined> => {
    if (watch.signal?.aborted) throw aborted()
    if (!(await livePid(watch.pidFile, watch.pidFile))) {
      throw qemuError(
        QemuError.Boot,
        `the VM stopped while booting; the end of its serial log (${watch.serialLog}):\n${await logTail(watch.serialLog, watch.logOffset)}`,
        {
          machine: watch.machine,
        },
      )
    }
    const log = await readFrom(watch.serialLog, watch.logOffset)
    hostKey ??= hostKeyIn(log)
    const stage = hostKey ? 'waiting for sshd' : 'booting'
    if (stage !== said) {
      said = stage
      watch.onProgress?.(stage)
    }
    if ((hostKey || !watch.needHostKey) && (await sshAnswers('127.0.0.1', watch.sshPort))) return { hostKey }
    return undefined
  }
  const up = await waitUntil(reachable, { timeout: watch.timeoutMs, interval: 200, signal: watch.signal }).catch(
    (error: unknown) => {
      throw watch.signal?.aborted && error === watch.signal.reason ? aborted() : error
    },
  )
  if (up) return up.hostKey
  throw qemuError(
    QemuError.BootTimeout,
    `SSH did not come up within ${Math.round(watch.timeoutMs / 1000)} s; see the serial log ${watch.serialLog}:\n${await logTail(watch.serialLog, watch.logOffset)}`,
    {
      machine: watch.machine,
      suggestion: 'raise bootTimeout for slow hosts (TCG emulation is slow), or read the log for the cause',
    },
  )
}
