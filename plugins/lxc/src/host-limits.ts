/**
 * The kernel limit that many containers run into: inotify instances per
 * user. Each container's systemd takes several (6 with its consoles' gettys), all
 * counted against root, and the kernel's default of 128 is used up at
 * about 20 containers: the next ones boot without working units, so sshd
 * never answers. Debian's lxc package ships /etc/sysctl.d/30-lxc-inotify.conf
 * raising it to 1024, but only an init system that applies sysctl.d at boot
 * makes that true. Checked before anything is created, like the bridge.
 *
 * (Kernel keys, the other per-container draw, are not a limit here: root's
 * keys count against kernel.keys.root_maxkeys, not kernel.keys.maxkeys.)
 */
import { readFile, writeFile } from 'node:fs/promises'
import { LxcError, lxcError } from './errors.js'
import { isRoot } from './host-network.js'

export const INOTIFY_INSTANCES = '/proc/sys/fs/inotify/max_user_instances'
/** What lxc's own sysctl.d file sets: room for about 150 containers at 6 each. */
export const WANTED_INSTANCES = 1024

export const RAISE_COMMAND = `sudo sysctl -w fs.inotify.max_user_instances=${WANTED_INSTANCES}`

async function current(): Promise<number | undefined> {
  const text = await readFile(INOTIFY_INSTANCES, 'utf8').catch(() => '')
  const value = Number(text.trim())
  return text.trim() !== '' && Number.isInteger(value) ? value : undefined
}

/**
 * Makes sure many containers can boot: as root, raises the inotify limit
 * (until the next reboot) and says so; anyone else is told what to run.
 */
export async function ensureHostLimits(report: (message: string) => void, machine?: string): Promise<void> {
  const now = await current()
  if (now === undefined || now >= WANTED_INSTANCES) return
  const why = `fs.inotify.max_user_instances is ${now}; each container's systemd takes 6, so about ${Math.floor(now / 6) - 1} containers use it up and the next ones boot without sshd`
  if (!isRoot())
    throw lxcError(LxcError.HostLimit, why, {
      ...(machine ? { machine } : {}),
      suggestion: `run: ${RAISE_COMMAND}`,
    })
  try {
    await writeFile(INOTIFY_INSTANCES, `${WANTED_INSTANCES}\n`)
  } catch (error) {
    throw lxcError(LxcError.HostLimit, `${why}; raising it failed: ${(error as Error).message}`, {
      ...(machine ? { machine } : {}),
      suggestion: `run: ${RAISE_COMMAND}`,
      cause: error,
    })
  }
  report(`raised fs.inotify.max_user_instances from ${now} to ${WANTED_INSTANCES} (until reboot), for many containers`)
}
