/**
 * A stand-in for Guix System on a throwaway LXC container, written from
 * Guix's own source, not from what the driver expects. It mirrors Guix
 * 1.4.0 (guix/scripts/system.scm, guix/scripts/system/reconfigure.scm,
 * gnu/build/activation.scm, gnu/services.scm, guix/profiles.scm, guix/ui.scm)
 * and the GNU Shepherd that Guix 1.4.0 ships, 0.9.3, or 0.10 when asked.
 * Each behaviour below cites the file it follows.
 *
 * `guix` and `herd` are shell scripts in /usr/local/bin; every call is
 * appended to /var/guix-standin/log (with GUIX_NEW_SYSTEM when set).
 * "Building" a system makes a directory /gnu/store/HASH-system whose name
 * follows the content of the config's directory and its -L directories, as
 * a derivation follows its inputs. Files in /var/guix-standin steer what
 * cannot be simulated otherwise:
 * - `cmdline`: stands for /proc/cmdline (a container cannot set its kernel's);
 *   `gnu.system=` names the booted system.
 * - `fail-reconfigure`: the build fails with that text; nothing changes.
 * - `fail-activation`: systems built now fail in a service's activation
 *   snippet, after /run/current-system has moved (as in Guix).
 * - `cut-ssh`: systems built now have no SSH service: activating one stops sshd.
 * - `repl-output` / `fail-repl`: what `guix repl` prints or fails with;
 *   without them it prints the devices the config names literally.
 * - `failed-services`, `shepherd-version`: what `herd status` shows.
 * The Shepherd's loaded services are kept in `shepherd-services`, a line
 * each (see `herd` below), the started ones in `shepherd-running`; starting
 * and unloading them on an upgrade is logged in `shepherd.log` as
 * `start NAME` and `unload NAME`.
 */
import type { TestHost } from './lxc.js'

export const STANDIN = '/var/guix-standin'

/**
 * An activation script, as gnu/services.scm `activation-script` builds it:
 * `activate-current-system` first (gnu/build/activation.scm), then each
 * service's activation snippet. The stand-in's "snippets" keep sshd running,
 * or stop it for a system without SSH, and may fail.
 */
const ACTIVATE = `#!/bin/sh
# gnu/build/activation.scm, boot-time-system: "gnu.system" from the kernel command line.
boot_time_system() { tr ' ' '\\n' < ${STANDIN}/cmdline | sed -n 's/^gnu\\.system=//p' | head -n 1; }
# activate-current-system: SYSTEM defaults to (or (getenv "GUIX_NEW_SYSTEM") (boot-time-system)).
system=\${GUIX_NEW_SYSTEM:-$(boot_time_system)}
echo "making '$system' the current system..."
mkdir -p /run
ln -sfn "$system" /run/current-system.new && mv -T /run/current-system.new /run/current-system
here=$(dirname "$(readlink -f "$0")")
if [ -e "$here/no-ssh" ]; then systemctl stop ssh; else systemctl start ssh; fi
if [ -e "$here/fails" ]; then
  echo "error: in activation snippet of service 'nginx': Wrong type argument" >&2
  exit 1
fi
exit 0
`

const GUIX = `#!/bin/sh
S=${STANDIN}
P=/var/guix/profiles
printf '%s\\n' "\${GUIX_NEW_SYSTEM:+GUIX_NEW_SYSTEM=$GUIX_NEW_SYSTEM }guix $*" >> $S/log
if [ "$1" = time-machine ]; then
  while [ "$1" != -- ]; do shift; done
  shift
fi
# guix/profiles.scm: generations are links PROFILE-N-link next to PROFILE, which links to one of them.
current() { readlink $P/system | sed 's/^system-\\([0-9]*\\)-link$/\\1/'; }
numbers() { ls $P | sed -n 's/^system-\\([0-9]*\\)-link$/\\1/p' | sort -n; }
die() { echo "guix system: error: $*" >&2; exit 1; }

# What the config names literally: (device "/dev/..."), (uuid "..."), (file-system-label "..."), bootloader targets.
devices() {
  sed -n 's/.*(device "\\(\\/dev\\/[^"]*\\)".*/device \\1/p; s/.*(uuid "\\([^"]*\\)".*/uuid \\1/p; s/.*(file-system-label "\\([^"]*\\)".*/label \\1/p' "$1"
  sed -n 's/.*(targets[^"]*"\\([^"]*\\)".*/bootloader \\1/p' "$1"
}

# guix/scripts/system.scm, check-file-system-availability (skipped with --skip-checks).
check_file_systems() {
  fail=0
  for line in $(devices "$1" | grep -v '^bootloader' | tr ' ' '='); do
    kind=\${line%%=*}; value=\${line#*=}
    case $kind in
      device) [ -e "$value" ] || { echo "$1: error: device '$value' not found: No such file or directory" >&2; fail=1; } ;;
      uuid) [ -e "/dev/disk/by-uuid/$value" ] || { echo "$1: error: file system with UUID '$value' not found" >&2; fail=1; } ;;
      label) [ -e "/dev/disk/by-label/$value" ] || { echo "$1: error: file system with label '$value' not found" >&2; fail=1; } ;;
    esac
  done
  [ $fail = 0 ] || exit 1
}

# A system's store item follows its inputs: the config's directory, the -L directories, and the steering.
build() {
  config=$1; shift
  dir=$(dirname "$config"); [ "$dir" = /etc ] && dir=$config
  hash=$( { find "$dir" "$@" -type f | sort | xargs cat; ls $S | grep -x 'fail-activation\\|cut-ssh'; } | sha256sum | cut -c1-32)
  store=/gnu/store/$hash-system
  if [ ! -d "$store" ]; then
    mkdir -p "$store"
    cp /usr/local/lib/guix-standin/activate "$store/activate"
    printf 'GNU with Linux-Libre 6.0.%s\\n' "$(printf %d "0x$(echo $hash | cut -c1-2)")" > "$store/label"
    cp "$config" "$store/configuration.scm"
    [ -f $S/fail-activation ] && : > "$store/fails"
    [ -f $S/cut-ssh ] && : > "$store/no-ssh"
  fi
  echo "$store"
}

# guix/scripts/system.scm, display-system-generation; the date as guix/ui.scm display-generation
# prints it: (date->string (time-utc->date (generation-time ...)) "~b ~d ~Y ~T"), in local time,
# from the link's own mtime (guix/profiles.scm generation-time uses lstat).
list_generations() {
  c=$(current)
  for n in $(numbers); do
    link=$P/system-$n-link
    store=$(readlink -f $link)
    mark=''; [ "$n" = "$c" ] && mark='\t(current)'
    printf "Generation %s\\t%s$mark\\n" "$n" "$(date -d "@$(stat -c %Y $link)" '+%b %d %Y %T')"
    printf '  file name: %s\\n  canonical file name: %s\\n' "$link" "$store"
    printf '  label: %s\\n  bootloader: grub\\n  root device: /dev/sda1\\n' "$(cat $store/label)"
    printf '  kernel: /gnu/store/aaaa-linux-libre/bzImage\\n  configuration file: %s\\n\\n' "$store/configuration.scm"
  done
}

# guix/scripts/system/reconfigure.scm, upgrade-shepherd-services (run by reconfigure after switch-system-program,
# and by guix deploy through gnu/machine/ssh.scm deploy-managed-host): the target system's services are loaded;
# the live ones it no longer has are unloaded (gnu/services/shepherd.scm, shepherd-service-upgrade: obsolete, not
# root or shepherd) and those not live yet started (lset-difference of the canonical names). The stand-in names a
# config's Shepherd services by its literal (service NAME-service-type ...) and (provision '(NAME ...)) forms, in
# the config and the files beside it that it loads.
services_of() {
  sed -n "s/.*(service \\([a-z0-9-]*\\)-service-type.*/\\1/p; s/.*(provision '(\\([a-z0-9-]*\\).*/\\1/p" "$@" 2>/dev/null | sort -u
}
# Loaded services are lines of shepherd-services (NAME, then what it requires), started ones lines of
# shepherd-running (see herd below); a service that stays keeps its line.
upgrade_services() {
  target=$(services_of "$1" "$(dirname "$1")"/*.scm)
  touch $S/shepherd-services $S/shepherd-running
  live=$(cut -d' ' -f1 $S/shepherd-services)
  for s in $live; do
    echo "$target" | grep -qx "$s" && continue
    echo "unload $s" >> $S/shepherd.log
    grep -v "^$s\\( \\|$\\)" $S/shepherd-services > $S/services.new; mv $S/services.new $S/shepherd-services
    grep -vx "$s" $S/shepherd-running > $S/running.new; mv $S/running.new $S/shepherd-running
  done
  for s in $target; do
    echo "$live" | grep -qx "$s" && continue
    echo "start $s" >> $S/shepherd.log
    echo "$s" >> $S/shepherd-services; echo "$s" >> $S/shepherd-running
  done
}

# guix/scripts/system/reconfigure.scm, switch-system-program: a new generation N+1, the profile
# switched to it, then (setenv "GUIX_NEW_SYSTEM" os) and the activation script.
switch_system() {
  n=$(( $(numbers | tail -n 1) + 1 ))
  ln -sfn "$1" $P/system-$n-link
  ln -sfn system-$n-link $P/system
  echo "activating system..."
  GUIX_NEW_SYSTEM=$1 "$1/activate" || die "activation of $1 failed"
}

# guix/scripts/system.scm, switch-to-system-generation: relative-generation-spec->number,
# reinstall-bootloader, switch-to-generation*, then (primitive-load activate) of that
# generation, without setting GUIX_NEW_SYSTEM: the caller's environment decides.
switch_generation() {
  case $1 in
    [+-]*) n=$(numbers | awk -v c="$(current)" -v d="$1" 'd < 0 && $1 < c { p = $1 } d > 0 && $1 > c && !f { p = $1; f = 1 } END { print p }') ;;
    *) n=$1; [ -e $P/system-$n-link ] || n='' ;;
  esac
  [ -n "$n" ] || die "cannot switch to system generation '$1'"
  echo "$n" > $S/boot-default
  echo "switched from generation $(current) to $n"
  ln -sfn system-$n-link $P/system
  [ ! -e $P/system-$n-link/activate ] || $P/system-$n-link/activate
}

case "$1 $2" in
  "describe "*) printf 'Generation 1\\tNov 20 2026 10:00:00\\t(current)\\n  guix 4a1b2c3\\n' ;;
  "repl "*)
    for config; do :; done
    # The script after "--": one that calls upgrade-shepherd-services does what it does.
    script=$(printf '%s\\n' "$@" | sed -n '/^--$/{n;p;q}')
    if [ -f "$script" ] && grep -q 'upgrade-shepherd-services' "$script"; then upgrade_services "$config"; exit 0; fi
    [ -f $S/fail-repl ] && { cat $S/fail-repl >&2; exit 1; }
    [ -f $S/repl-output ] && { cat $S/repl-output; exit 0; }
    devices "$config" ;;
  "system list-generations") list_generations ;;
  "system reconfigure")
    shift 2
    skip=''; config=''; loads=''
    while [ $# -gt 0 ]; do
      case $1 in
        -L) loads="$loads $2"; shift ;;
        --skip-checks) skip=1 ;;
        -*) ;;
        *) config=$1 ;;
      esac
      shift
    done
    [ -f "$config" ] || die "failed to load '$config': No such file or directory"
    echo "building /gnu/store/new-system.drv..." >&2
    [ -f $S/fail-reconfigure ] && { cat $S/fail-reconfigure >&2; exit 1; }
    [ -n "$skip" ] || check_file_systems "$config"
    store=$(build "$config" $loads)
    switch_system "$store"
    # reconfigure.scm: upgrade-shepherd-services, then install-bootloader makes N the default.
    upgrade_services "$config"
    current > $S/boot-default ;;
  "system roll-back") switch_generation -1 ;;
  "system switch-generation") switch_generation "$3" ;;
  "system delete-generations") rm -f $P/system-$3-link ;;
  *) echo "guix: stand-in does not know: $*" >&2; exit 2 ;;
esac
`

/**
 * `herd status` as the Shepherd's herd.scm `display-status-summary` prints it:
 * 0.9.x has Started, Stopped and One-shot sections only (a service that failed
 * to start is just stopped); 0.10 adds Starting, Stopping and "Failed to start:"
 * with "!" for stopped services that have startup failures.
 *
 * Services of the running system beyond those: the steering file
 * `shepherd-services`, a line per service, `NAME REQUIREMENT...`, and for a
 * deployment key's service (the module `(guix-ops keys)`) `NAME file=PATH`,
 * since the stand-in cannot evaluate a config. Running ones are listed in
 * `shepherd-running`. For these, herd follows Shepherd 0.9.3's
 * modules/shepherd/service.scm: `start` starts the requirements first and
 * fails if one does not start (a key service starts only while its file
 * exists: its start is `(file-exists? FILE)`); `stop` stops the running
 * dependents first; `restart` stops, then starts all it stopped; any other
 * action runs even on a stopped service, and `refresh` does what the key
 * service's action does. herd.scm prints "service 'X' could not be found"
 * and exits 1 for a service that does not exist.
 */
const HERD = `#!/bin/sh
S=${STANDIN}
printf '%s\\n' "herd $*" >> $S/log
touch $S/shepherd-services $S/shepherd-running
known() { grep -q "^$1\\\\( \\\\|$\\\\)" $S/shepherd-services; }
running() { grep -qx "$1" $S/shepherd-running; }
requirements() { grep "^$1\\\\( \\\\|$\\\\)" $S/shepherd-services | cut -d' ' -f2- -s | tr ' ' '\\n' | grep -v '^file=' | grep .; }
dependents() { grep " $1\\\\( \\\\|$\\\\)" $S/shepherd-services | cut -d' ' -f1; }
set_running() { grep -vx "$1" $S/shepherd-running > $S/shepherd-running.new; [ "$2" = no ] || echo "$1" >> $S/shepherd-running.new; mv $S/shepherd-running.new $S/shepherd-running; }
start() {
  running "$1" && return 0
  for r in $(requirements "$1"); do start "$r" || { echo "Service $1 depends on $r." >&2; return 1; }; done
  file=$(grep "^$1 " $S/shepherd-services | sed -n 's/.* file=\\([^ ]*\\).*/\\1/p')
  if [ -n "$file" ] && [ ! -e "$file" ]; then echo "Service $1 could not be started." >&2; return 1; fi
  set_running "$1" yes; echo "Service $1 has been started."
}
stop() {
  running "$1" || return 0
  for d in $(dependents "$1"); do stop "$d"; done
  set_running "$1" no; echo "Service $1 has been stopped."; echo "$1" >> $S/stopped-now
}
restart() { : > $S/stopped-now; stop "$1"; for s in $(tac $S/stopped-now); do start "$s"; done; }
if [ -n "$2" ] && [ "$2" != root ] && [ "$2" != shepherd ]; then
  known "$2" || { echo "herd: error: service '$2' could not be found" >&2; exit 1; }
  case $1 in
    status) if running "$2"; then printf 'Status of %s:\\n  It is started.\\n' "$2"; else printf 'Status of %s:\\n  It is stopped.\\n' "$2"; fi ;;
    start) start "$2" || exit 1 ;;
    stop) stop "$2" ;;
    restart) restart "$2" ;;
    refresh)
      if running "$2"; then restart "$2"; else start "$2" || true; fi
      for d in $(dependents "$2"); do running "$d" || start "$d" || true; done ;;
    *) echo "herd: error: service '$2' does not have an action '$1'" >&2; exit 1 ;;
  esac
  exit 0
fi
version=$(cat $S/shepherd-version 2>/dev/null || echo 0.9.3)
failed=$(cat $S/failed-services 2>/dev/null)
printf 'Started:\\n + guix-daemon\\n + sshd\\n'
for s in $(cat $S/shepherd-running); do echo " + $s"; done
printf 'Stopped:\\n'
for s in $(cut -d' ' -f1 $S/shepherd-services); do running "$s" || echo " - $s"; done
case $version in
  0.9.*) for s in $failed; do echo " - $s"; done; echo ' - term-tty6' ;;
  *) echo ' - term-tty6' ;;
esac
printf 'One-shot:\\n * host-name\\n'
case $version in
  0.9.*) ;;
  *) [ -z "$failed" ] || { echo 'Failed to start:'; for s in $failed; do echo " ! $s"; done; } ;;
esac
`

/**
 * A boot as far as the Shepherd goes: every service stopped, then each one
 * started in turn, a failure reported and passed over, as the shepherd.conf
 * that gnu/services/shepherd.scm `shepherd-configuration-file` writes does.
 */
export function bootShepherd(host: TestHost): void {
  const boot =
    ': > "$1/shepherd-running"; for s in $(cut -d" " -f1 "$1/shepherd-services"); do herd start "$s" || true; done'
  host.exec(['sh', '-c', boot, 'sh', STANDIN])
}

/** Makes a Debian test container look like a Guix System booted into generation 1. */
export function installGuixStandIn(host: TestHost): void {
  const put = (file: string, content: string, mode: string) =>
    host.exec(['sh', '-c', 'cat > "$1" && chmod "$2" "$1"', 'sh', file, mode], content)
  host.exec(['mkdir', '-p', STANDIN, '/var/guix/profiles', '/gnu/store', '/usr/local/lib/guix-standin', '/etc/guix'])
  put('/usr/local/lib/guix-standin/activate', ACTIVATE, '0755')
  put('/usr/local/bin/guix', GUIX, '0755')
  put('/usr/local/bin/herd', HERD, '0755')
  host.exec(['rm', '-f', '/etc/os-release'])
  put('/etc/os-release', 'NAME="Guix System"\nID=guix\nPRETTY_NAME="Guix System"\n', '0644')
  put('/etc/config.scm', '(use-modules (gnu))\n(operating-system (host-name "installed"))\n', '0644')
  // The devices the test configs name: a root file system labelled "root" and a disk /dev/vda.
  host.exec([
    'sh',
    '-c',
    'mkdir -p /dev/disk/by-label && ln -sfn ../../null /dev/disk/by-label/root && ln -sfn null /dev/vda',
  ])
  // Generation 1, as the installer left it, booted: its store item is on the kernel command line.
  const install = [
    'guix system reconfigure /etc/config.scm >/dev/null 2>&1',
    'system=$(readlink -f /var/guix/profiles/system-1-link)',
    'echo "BOOT_IMAGE=/gnu/store/aaaa-linux-libre/bzImage gnu.system=$system gnu.load=$system/boot quiet" > "$1/cmdline"',
    'ln -sfn "$system" /run/booted-system',
    ': > "$1/log" && : > "$1/shepherd.log"',
  ].join(' && ')
  host.exec(['sh', '-c', install, 'sh', STANDIN])
}

/** The stand-ins' log: one line per call, `guix system reconfigure ...`. */
export function standInLog(host: TestHost): string[] {
  return host
    .exec(['cat', `${STANDIN}/log`])
    .stdout.split('\n')
    .filter(Boolean)
}

export function clearStandInLog(host: TestHost): void {
  host.exec(['sh', '-c', ': > "$1" && : > "$2"', 'sh', `${STANDIN}/log`, `${STANDIN}/shepherd.log`])
}

/** What the stand-in's Shepherd did since the log was cleared: `start NAME`, `unload NAME`. */
export function shepherdLog(host: TestHost): string[] {
  return host
    .exec(['sh', '-c', 'cat "$1" 2>/dev/null || true', 'sh', `${STANDIN}/shepherd.log`])
    .stdout.split('\n')
    .filter(Boolean)
}

/** Sets a steering file in /var/guix-standin (see the top of this file), or removes it with `undefined`. */
export function steer(host: TestHost, name: string, content: string | undefined): void {
  if (content === undefined) host.exec(['rm', '-f', `${STANDIN}/${name}`])
  else host.exec(['sh', '-c', 'cat > "$1"', 'sh', `${STANDIN}/${name}`], content)
}

/** The store item a generation link points to. */
export function generationStore(host: TestHost, n: number): string {
  return host.exec(['readlink', '-f', `/var/guix/profiles/system-${n}-link`]).stdout.trim()
}

/** The running system: where /run/current-system points. */
export function runningSystem(host: TestHost): string {
  return host.exec(['readlink', '-f', '/run/current-system']).stdout.trim()
}
