/**
 * What LXC's own tools say about a container: whether it exists, its state,
 * its addresses. Every call is an argument array to lxc-* (LXC 5).
 */
import { LxcError, lxcError } from './errors.js'
import { type RunResult, run } from './process.js'

export type ContainerState =
  | 'RUNNING'
  | 'STOPPED'
  | 'STARTING'
  | 'STOPPING'
  | 'ABORTING'
  | 'FREEZING'
  | 'FROZEN'
  | 'THAWED'

/** Runs an lxc-* tool, turning "not installed" into a clear error. */
export async function lxc(argv: readonly string[], env?: NodeJS.ProcessEnv): Promise<RunResult> {
  try {
    return await run(argv, env ? { env } : {})
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      throw lxcError(LxcError.NotInstalled, `${argv[0]} is not installed`, {
        suggestion: 'apt-get install lxc debootstrap',
      })
    throw error
  }
}

/** Runs an lxc-* tool that must succeed, with its stderr in the error. */
export async function lxcMust(
  argv: readonly string[],
  code: (typeof LxcError)[keyof typeof LxcError],
  machine?: string,
  env?: NodeJS.ProcessEnv,
): Promise<string> {
  const result = await lxc(argv, env)
  if (result.code !== 0)
    throw lxcError(code, `${argv.join(' ')} failed: ${result.stderr.trim() || `exit ${result.code}`}`, {
      ...(machine ? { machine } : {}),
    })
  return result.stdout
}

/** The container's state, or undefined when no such container exists. */
export async function containerState(name: string): Promise<ContainerState | undefined> {
  const result = await lxc(['lxc-info', '-n', name, '-sH'])
  if (result.code !== 0) return undefined
  return result.stdout.trim() as ContainerState
}

/** The IPv4 addresses the container has now, in the order lxc-info gives them. */
export async function containerAddresses(name: string): Promise<string[]> {
  const result = await lxc(['lxc-info', '-n', name, '-iH'])
  if (result.code !== 0) return []
  return result.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^\d+\.\d+\.\d+\.\d+$/.test(l))
}

/** The pid of the container's init, which changes when it reboots. */
export async function initPid(name: string): Promise<number | undefined> {
  const result = await lxc(['lxc-info', '-n', name, '-pH'])
  const pid = Number(result.stdout.trim())
  return result.code === 0 && pid > 0 ? pid : undefined
}

/** LXC's directory of containers (lxc.lxcpath). */
let lxcPathCache: string | undefined
export async function lxcPath(): Promise<string> {
  lxcPathCache ??= (await lxcMust(['lxc-config', 'lxc.lxcpath'], LxcError.NotInstalled)).trim() || '/var/lib/lxc'
  return lxcPathCache
}
