/**
 * What a clone gets before its first boot, written into its overlay's upper
 * layer: its hostname, root's authorized key, and an SSH host key of its
 * own (the base's would be shared by every clone), which sshd is told to use
 * alone. The host key is then read back from the container's files, so it
 * is pinned from the start: no trust on first use. The key is kept (0600)
 * in the machine's state dir, so a container re-created after it was
 * deleted behind guix-ops' back is the same host to SSH. In an unprivileged
 * container root is another id on this host: what is written here is given
 * to that id, or the container would see it owned by nobody.
 */
import { access, chmod, copyFile, lchown, mkdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { IdMap } from './idmap.js'
import { keygen } from './keys.js'

const HOST_KEY = 'etc/ssh/ssh_host_ed25519_key'
/** Everything injectIdentity makes in the upper layer, directories first. */
const WRITTEN = [
  'etc',
  'etc/ssh',
  'etc/ssh/sshd_config.d',
  'root',
  'root/.ssh',
  'etc/hostname',
  'etc/hosts',
  'root/.ssh/authorized_keys',
  'etc/ssh/sshd_config.d/guix-ops-host-key.conf',
  HOST_KEY,
  `${HOST_KEY}.pub`,
]

/** Root of the container, as this host sees it: 0 unless its ids are mapped. */
const ROOT: IdMap = { uid: 0, gid: 0 }

async function put(root: string, file: string, text: string, mode: number): Promise<void> {
  const target = path.join(root, file)
  await writeFile(target, text, { mode })
  await chmod(target, mode)
}

export async function injectIdentity(
  upper: string,
  hostname: string,
  publicKey: string,
  stateDir: string,
  owner: IdMap = ROOT,
): Promise<string> {
  await mkdir(path.join(upper, 'root/.ssh'), { recursive: true, mode: 0o700 })
  await chmod(path.join(upper, 'root'), 0o700)
  await mkdir(path.join(upper, 'etc/ssh/sshd_config.d'), { recursive: true, mode: 0o755 })
  // mkdir's mode is cut by the umask; these shadow the base's /etc for every daemon in the container.
  for (const dir of ['etc', 'etc/ssh', 'etc/ssh/sshd_config.d']) await chmod(path.join(upper, dir), 0o755)
  await put(upper, 'etc/hostname', `${hostname}\n`, 0o644)
  await put(
    upper,
    'etc/hosts',
    `127.0.0.1\tlocalhost\n127.0.1.1\t${hostname}\n::1\tlocalhost ip6-localhost ip6-loopback\n`,
    0o644,
  )
  await put(upper, 'root/.ssh/authorized_keys', `${publicKey}\n`, 0o600)
  await put(upper, 'etc/ssh/sshd_config.d/guix-ops-host-key.conf', `HostKey /${HOST_KEY}\n`, 0o644)
  const kept = path.join(stateDir, 'ssh-host-key')
  await access(kept).catch(() => keygen(kept, `root@${hostname}`))
  await copyFile(kept, path.join(upper, HOST_KEY))
  await chmod(path.join(upper, HOST_KEY), 0o600)
  await copyFile(`${kept}.pub`, path.join(upper, `${HOST_KEY}.pub`))
  // chown keeps the modes set above (they have no setuid bits to lose).
  if (owner.uid !== 0 || owner.gid !== 0)
    for (const file of WRITTEN) await lchown(path.join(upper, file), owner.uid, owner.gid)
  return readHostKey(upper)
}

/** `ssh-ed25519 AAAA...` as the container's own file has it. */
export async function readHostKey(upper: string): Promise<string> {
  const [type, key] = (await readFile(path.join(upper, `${HOST_KEY}.pub`), 'utf8')).trim().split(/\s+/)
  return `${type} ${key}`
}
