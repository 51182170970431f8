/**
 * Forwarded ports (`ports: { '80': 8080 }`): one forwarder process per
 * machine (see forward.ts), started with the container and stopped with it.
 */
import { readFile, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { LxcError, lxcError } from './errors.js'

const FORWARD = fileURLToPath(new URL('./forward.js', import.meta.url))
const pidFileOf = (stateDir: string) => path.join(stateDir, 'ports.pid')

/** Stops the machine's forwarder, if one runs. */
export async function stopForwarding(stateDir: string): Promise<void> {
  const pidFile = pidFileOf(stateDir)
  const pid = Number(await readFile(pidFile, 'utf8').catch(() => ''))
  await rm(pidFile, { force: true })
  if (pid > 0) {
    try {
      process.kill(pid, 'SIGTERM')
    } catch {
      // gone already
    }
  }
}

/** Starts forwarding `ports` (container port -> host port) to the container; fails if a host port is taken. */
export async function startForwarding(
  stateDir: string,
  container: string,
  ports: Record<string, number>,
  machine: string,
): Promise<void> {
  await stopForwarding(stateDir)
  const pairs = Object.entries(ports).map(([port, hostPort]) => `${hostPort}:${port}`)
  if (pairs.length === 0) return
  const pidFile = pidFileOf(stateDir)
  await writeFile(pidFile, '', { mode: 0o600 })
  const { execa } = await import('execa')
  // Detached, it outlives this run; its first line says whether it listens, then the pipe is let go.
  const child = execa(process.execPath, [FORWARD, pidFile, container, ...pairs], {
    detached: true,
    stdin: 'ignore',
    stderr: 'ignore',
    buffer: false,
    reject: false,
  })
  const said = await new Promise<string>((resolve) => {
    child.stdout.setEncoding('utf8').once('data', (line: string) => resolve(line.trim()))
    child.nodeChildProcess.once('exit', () => resolve('the forwarder exited'))
  })
  child.stdout.destroy()
  child.nodeChildProcess.unref()
  if (said !== 'listening') {
    await rm(pidFile, { force: true })
    throw lxcError(LxcError.Ports, `cannot forward ports ${pairs.join(', ')} from 127.0.0.1: ${said}`, {
      machine,
      suggestion: 'choose host ports that nothing else listens on',
    })
  }
  await writeFile(pidFile, String(child.pid), { mode: 0o600 })
}
