/**
 * A recording stand-in for Guix System on a throwaway LXC container: `guix`
 * and `herd` shell scripts in /usr/local/bin that append their argv to
 * /var/guix-standin/log and simulate what the driver relies on: system
 * generations as profile links to "store" directories whose `activate`
 * points /run/current-system at them, `list-generations` in Guix's output
 * format, `roll-back` and `switch-generation` (which, as in Guix, only move
 * the profile), `guix repl` printing what the safety check script would,
 * and `herd status` with failed services. Files in /var/guix-standin steer
 * failures: `fail-reconfigure`, `repl-output`, `failed-services`.
 */
import type { TestHost } from './lxc.js'

export const STANDIN = '/var/guix-standin'

const GUIX = `#!/bin/sh
S=${STANDIN}
P=/var/guix/profiles
printf '%s\\n' "guix $*" >> $S/log
if [ "$1" = time-machine ]; then
  while [ "$1" != -- ]; do shift; done
  shift
fi
current() { readlink $P/system | sed 's/^system-\\([0-9]*\\)-link$/\\1/'; }
numbers() { ls $P | sed -n 's/^system-\\([0-9]*\\)-link$/\\1/p' | sort -n; }
new_generation() {
  n=$(( $(numbers | tail -n 1) + 1 ))
  store=/gnu/store/$(printf '%032d' "$n" | tr 0-9 a-j)-system
  mkdir -p "$store"
  printf '#!/bin/sh\\nln -sfn %s /run/current-system\\n' "$store" > "$store/activate"
  chmod +x "$store/activate"
  ln -sfn "$store" $P/system-$n-link
  ln -sfn system-$n-link $P/system
  $P/system/activate
}
case "$1 $2" in
  "describe "*) printf 'Generation 1\\tNov 20 2026 10:00:00\\t(current)\\n  guix 4a1b2c3\\n' ;;
  "repl "*)
    [ -f $S/fail-repl ] && { cat $S/fail-repl >&2; exit 1; }
    cat $S/repl-output 2>/dev/null; exit 0 ;;
  "system list-generations")
    c=$(current)
    for n in $(numbers); do
      mark=''; [ "$n" = "$c" ] && mark='\t(current)'
      printf "Generation %s\\tNov 25 2026 01:00:%02d$mark\\n" "$n" "$n"
      printf '  file name: %s\\n  canonical file name: %s\\n' "$P/system-$n-link" "$(readlink -f $P/system-$n-link)"
      printf '  label: GNU with Linux-libre 6.6.%s\\n  bootloader: grub\\n  kernel: /gnu/store/linux/bzImage\\n\\n' "$n"
    done ;;
  "system reconfigure")
    if [ -f $S/fail-reconfigure ]; then cat $S/fail-reconfigure >&2; exit 1; fi
    echo "building /gnu/store/new-system.drv..." >&2
    new_generation
    echo "activating system..." >&2 ;;
  "system roll-back")
    c=$(current); p=$(numbers | awk -v c="$c" '$1 < c' | tail -n 1)
    [ -n "$p" ] || { echo "guix system: error: no previous generation" >&2; exit 1; }
    ln -sfn system-$p-link $P/system
    echo "switched from generation $c to $p" ;;
  "system switch-generation")
    [ -e $P/system-$3-link ] || { echo "guix system: error: cannot switch to system generation '$3'" >&2; exit 1; }
    ln -sfn system-$3-link $P/system
    echo "switched from generation $(current) to $3" ;;
  "system delete-generations") rm -f $P/system-$3-link ;;
  *) echo "guix: stand-in does not know: $*" >&2; exit 2 ;;
esac
`

const HERD = `#!/bin/sh
printf '%s\\n' "herd $*" >> ${STANDIN}/log
printf 'Started:\\n + guix-daemon\\n + sshd\\nStopped:\\n - term-tty6\\n'
if [ -s ${STANDIN}/failed-services ]; then
  echo 'Failed to start:'
  sed 's/^/ ! /' ${STANDIN}/failed-services
fi
`

/** Makes a Debian test container look like a Guix System at generation 1. */
export function installGuixStandIn(host: TestHost): void {
  const put = (file: string, content: string, mode: string) =>
    host.exec(['sh', '-c', 'cat > "$1" && chmod "$2" "$1"', 'sh', file, mode], content)
  host.exec(['mkdir', '-p', STANDIN, '/var/guix/profiles', '/gnu/store'])
  put('/usr/local/bin/guix', GUIX, '0755')
  put('/usr/local/bin/herd', HERD, '0755')
  host.exec(['rm', '-f', '/etc/os-release'])
  put('/etc/os-release', 'NAME="Guix System"\nID=guix\nPRETTY_NAME="Guix System"\n', '0644')
  // Generation 1, as the installer left it.
  host.exec(['sh', '-c', 'guix system reconfigure /etc/config.scm 2>/dev/null && : > "$1"', 'sh', `${STANDIN}/log`])
}

/** The stand-ins' log: one line per call, `guix system reconfigure ...`. */
export function standInLog(host: TestHost): string[] {
  return host
    .exec(['cat', `${STANDIN}/log`])
    .stdout.split('\n')
    .filter(Boolean)
}

export function clearStandInLog(host: TestHost): void {
  host.exec(['sh', '-c', ': > "$1"', 'sh', `${STANDIN}/log`])
}
