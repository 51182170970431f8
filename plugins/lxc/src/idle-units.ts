/**
 * Parts of a Debian boot that have nothing to do in a container, masked in
 * each new clone's upper layer (a link to /dev/null, as `systemctl mask`
 * makes): each is a process, or several, at every boot (units that skip
 * themselves in a container, like fstrim and pstore, cost nothing and are
 * left as Debian has them). Thirty containers
 * booting at once on a laptop are bound by CPU, and these took about a fifth
 * of a container's boot (bench/lxc-boot, `trimmed`). What a server runs
 * (sshd, journald and its persistent journal, networking, sysctl.d,
 * tmpfiles, rc.local, the apt and dpkg timers) is left alone, as is
 * anything that a package installed later brings.
 */
import { chmod, lchown, mkdir, symlink } from 'node:fs/promises'
import path from 'node:path'
import type { IdMap } from './idmap.js'

/** Generators that look at block devices, the host's, or at a command line guix-ops never sets. */
const IDLE_GENERATORS = [
  'systemd-cryptsetup-generator', // /etc/crypttab: the container has no block devices
  'systemd-integritysetup-generator',
  'systemd-veritysetup-generator',
  'systemd-gpt-auto-generator', // partitions of the boot disk
  'systemd-hibernate-resume-generator', // resume= on the host's command line
  // systemd.debug_shell, systemd.run= and the like on PID 1's own command line
  // (lxc.init.cmd), which guix-ops never sets.
  'systemd-debug-generator',
  'systemd-run-generator',
  'systemd-system-update-generator', // offline updates, which apt does not use
  'systemd-getty-generator', // consoles, masked below
]

const IDLE_UNITS = [
  // Login prompts on the container's consoles: ten agetty processes per container.
  // guix-ops reaches it over SSH, and `lxc-attach` needs no prompt.
  'getty.target',
  'console-getty.service',
  'e2scrub_reap.service', // ext4 checks of LVM volumes the container has none of
  'e2scrub_all.timer',
  'systemd-remount-fs.service', // LXC mounts the root
]

const DIRS = ['etc', 'etc/systemd', 'etc/systemd/system', 'etc/systemd/system-generators']

/** Masks the idle units and generators in `upper`, owned by the container's root. */
export async function maskIdleUnits(upper: string, owner?: IdMap): Promise<void> {
  for (const dir of DIRS) {
    await mkdir(path.join(upper, dir), { recursive: true })
    // mkdir's mode is cut by the umask; these shadow the base's for every daemon in the container.
    await chmod(path.join(upper, dir), 0o755)
  }
  const links = [
    ...IDLE_GENERATORS.map((name) => `etc/systemd/system-generators/${name}`),
    ...IDLE_UNITS.map((name) => `etc/systemd/system/${name}`),
  ]
  for (const link of links) await symlink('/dev/null', path.join(upper, link))
  if (owner && (owner.uid !== 0 || owner.gid !== 0))
    for (const file of [...DIRS, ...links]) await lchown(path.join(upper, file), owner.uid, owner.gid)
}
