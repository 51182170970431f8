/**
 * The shell scripts run on the host for keys. Each is a constant; names,
 * paths and owners reach it as positional arguments (quoted by the SSH
 * session), and a key's value only ever as standard input.
 */

/** Per pair `SALT PATH`: `HASH USER:GROUP MODE`, or `missing`. */
export const STATUS_SCRIPT = `while [ $# -ge 2 ]; do
  if [ -f "$2" ]; then
    h=$({ printf %s "$1"; cat -- "$2"; } | sha256sum)
    echo "\${h%% *} $(stat -c "%U:%G %a" -- "$2")"
  else
    echo missing
  fi
  shift 2
done`

/** Per `USER:GROUP` argument, a line for each of the two that does not exist. */
export const ACCOUNTS_SCRIPT = `for a; do
  id -u "\${a%%:*}" >/dev/null 2>&1 || echo "user \${a%%:*}"
  getent group "\${a#*:}" >/dev/null 2>&1 || echo "group \${a#*:}"
done`

/**
 * DIR NAME USER GROUP MODE, the value on stdin: written to a temp file
 * beside the key (mode 0600 from the start), given its owner and mode,
 * then renamed over it, so a reader sees the old value or the new one.
 * The temp file is handled by path, as root: so every directory from / to
 * DIR must be one that only root (or the login) can change, or sticky, or
 * another user could swap the file for a link between two steps and get
 * any file of the host written, chowned and chmodded. Directories made
 * here are 0755 whatever the login's umask: a key's owner must reach it.
 */
export const WRITE_SCRIPT = `set -eu
name=$2
(umask 022 && mkdir -p -- "$1")
dir=$(realpath -e -- "$1")
me=$(id -u)
p=$dir
while :; do
  o=$(stat -c %u -- "$p") m=$(stat -c %a -- "$p")
  writable=$(( 0$m & 022 )) sticky=$(( 0$m & 01000 ))
  if { [ "$o" != 0 ] && [ "$o" != "$me" ]; } || { [ "$writable" != 0 ] && [ "$sticky" = 0 ]; }; then
    echo "$p can be changed by another user (owner $o, mode $m): keys go only where root alone can change every directory on the way" >&2
    exit 3
  fi
  [ "$p" = / ] && break
  p=$(dirname -- "$p")
done
tmp=$(umask 077 && mktemp -- "$dir/.$name.XXXXXX")
trap 'rm -f -- "$tmp"' EXIT
cat > "$tmp"
chown -h -- "$3:$4" "$tmp"
chmod -- "$5" "$tmp"
mv -f -T -- "$tmp" "$dir/$name"
trap - EXIT`

/**
 * NAME FILE: on a host run by systemd, the unit \`guix-ops-key-NAME.service\`
 * that becomes active once FILE exists (it waits for it after a reboot),
 * so that services can Requires= and After= it. Restarting it on a new
 * value restarts the units that require it, which then read the new one.
 */
export const UNIT_SCRIPT = `set -eu
[ -d /run/systemd/system ] || exit 0
unit=/etc/systemd/system/guix-ops-key-$1.service
want=/etc/systemd/system/multi-user.target.wants
text=$(printf '%s\\n' \\
  '# Written by guix-ops: active while its deployment key is present.' \\
  '[Unit]' "Description=guix-ops deployment key $1" \\
  'DefaultDependencies=no' 'After=local-fs.target' 'Conflicts=shutdown.target' 'Before=shutdown.target' \\
  '[Service]' 'Type=oneshot' 'RemainAfterExit=yes' 'TimeoutStartSec=infinity' \\
  "ExecStartPre=/bin/sh -c 'until [ -e $2 ]; do sleep 1; done'" 'ExecStart=/bin/true' \\
  '[Install]' 'WantedBy=multi-user.target')
if [ "$(cat "$unit" 2>/dev/null)" != "$text" ]; then
  printf '%s\\n' "$text" > "$unit"
  mkdir -p "$want" && ln -sfn "$unit" "$want/"
  systemctl daemon-reload
fi
systemctl restart --no-block "guix-ops-key-$1.service"`

/** NAME FILE UNIT(yes|no): removes the key and, with yes, its unit. */
export const REMOVE_SCRIPT = `set -eu
unit=/etc/systemd/system/guix-ops-key-$1.service
if [ "$3" = yes ] && [ -e "$unit" ]; then
  systemctl stop --no-block "guix-ops-key-$1.service" 2>/dev/null || true
  rm -f -- "$unit" "/etc/systemd/system/multi-user.target.wants/guix-ops-key-$1.service"
  [ -d /run/systemd/system ] && systemctl daemon-reload
fi
rm -f -- "$2"`
