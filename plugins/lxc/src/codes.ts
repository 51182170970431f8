/**
 * The lxc platform's error codes, with what each means and what to do about
 * it: the one place they are declared. docs/errors.md is generated from them.
 */
import { describeErrorCodes, type ErrorCodeDoc } from '@guix-ops/plugin-api'

export const LxcError = {
  NotInstalled: 'E_LXC_NOT_INSTALLED',
  HostSetup: 'E_LXC_HOST_SETUP',
  HostLimit: 'E_LXC_HOST_LIMIT',
  Mirror: 'E_LXC_MIRROR',
  Base: 'E_LXC_BASE',
  BaseUnknown: 'E_LXC_BASE_UNKNOWN',
  Clone: 'E_LXC_CLONE',
  Start: 'E_LXC_START',
  Boot: 'E_LXC_BOOT',
  Mount: 'E_LXC_MOUNT',
  Ports: 'E_LXC_PORTS',
  Network: 'E_LXC_NETWORK',
  Unprivileged: 'E_LXC_UNPRIVILEGED',
  NotCreated: 'E_LXC_NOT_CREATED',
  Recreate: 'E_LXC_RECREATE',
  Reconfigure: 'E_LXC_RECONFIGURE',
} as const

export type LxcErrorCode = (typeof LxcError)[keyof typeof LxcError]

/** Every code above with what it means and what to do about it: what docs/errors.md lists. */
export const errorReference: readonly ErrorCodeDoc[] = describeErrorCodes('E_LXC_', LxcError, {
  NotInstalled: {
    meaning: 'LXC (lxc-* tools, lxc-net) is not installed on this host',
    hint: 'apt-get install lxc debootstrap',
  },
  HostSetup: {
    meaning: "lxc-net's bridge (lxcbr0) and its DHCP are not set up, or are turned off",
    hint: 'set USE_LXC_BRIDGE="true" in /etc/default/lxc-net, then run guix-ops as root or start lxc-net',
  },
  HostLimit: {
    meaning:
      "this host's inotify limit (fs.inotify.max_user_instances) is too low for many containers, and guix-ops is not root to raise it",
    hint: 'sudo sysctl -w fs.inotify.max_user_instances=1024 (to keep it, apply /etc/sysctl.d/30-lxc-inotify.conf at boot: sysctl --system)',
  },
  Mirror: {
    meaning: "this host's apt sources name no Debian mirror to build the base container from",
    hint: 'add the Debian mirror this machine should use to /etc/apt/sources.list*',
  },
  Base: {
    meaning: 'the base container could not be built (lxc-create) or removed',
    hint: 'check that the mirror carries the release for the architecture; to remove a base, destroy its clones first',
  },
  BaseUnknown: {
    meaning: 'no base container has that name',
    hint: 'see guix-ops lxc images list',
  },
  Clone: {
    meaning: "the machine's container (an overlayfs clone of the base) or its SSH key could not be made or removed",
    hint: 'the message gives what LXC said; ssh-keygen comes with openssh-client',
  },
  Start: {
    meaning: 'lxc-start or lxc-stop failed',
    hint: 'look at: lxc-start -n CONTAINER -F',
  },
  Boot: {
    meaning: 'the container stopped while booting, or got no address, or its sshd did not answer in time',
    hint: 'look inside with lxc-attach -n CONTAINER, or at its boot with lxc-start -n CONTAINER -F',
  },
  Mount: {
    meaning: "a mount's source does not exist on this host",
    hint: 'check the mounts option: each source is a path on this host',
  },
  Ports: {
    meaning: 'a forwarded host port could not be listened on at 127.0.0.1',
    hint: 'choose host ports that nothing else listens on',
  },
  Network: {
    meaning: "the deployment's private network could not be made, or has no free address left",
    hint: 'the message gives what ip said; a private network holds up to 241 machines',
  },
  Unprivileged: {
    meaning: 'guix-ops is not run as root, or root has no subordinate ids for an unprivileged container',
    hint: 'run guix-ops as root; unprivileged: true needs a range such as root:100000:65536 in /etc/subuid and /etc/subgid',
  },
  NotCreated: {
    meaning: "the machine's container is gone (deleted outside guix-ops)",
    hint: 'run deploy to create the machine again',
  },
  Recreate: {
    meaning:
      'an option changed that an existing container cannot take (release, arch, unprivileged); it was left as it is',
    hint: 'to apply it, destroy the machine and deploy it again: a new container, with its files made anew',
  },
  Reconfigure: {
    meaning: 'a changed memory, cpus, mounts or autostart could not be applied to the existing container',
    hint: 'the message says what failed; a memory limit below what the container uses now may be refused',
  },
})
