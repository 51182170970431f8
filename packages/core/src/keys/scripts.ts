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

/**
 * Where the host records each key file guix-ops wrote, one absolute path a
 * line (0600, root's): a key is written over, and removed, only if its path
 * is listed, so a key named `passwd` with destDir `/etc` never replaces
 * or deletes the host's own file. On disk, so it outlives a reboot that
 * empties /run/keys.
 */
export const WRITTEN_LIST = '/var/lib/guix-ops/keys/written'

/** Sets `f` to FILE with its directory resolved (the name itself is not followed). */
const RESOLVE = 'f=$(realpath -m -- "$(dirname -- "$1")")/$(basename -- "$1")'

/**
 * Per pair \`FILE OURS\`, the line FILE for each file that exists and is not
 * in WRITTEN_LIST; with OURS \`yes\` (its content hashes to what the state
 * recorded of the key guix-ops wrote there, as before hosts kept the list)
 * it is listed instead.
 */
export const FOREIGN_SCRIPT: string = `while [ $# -ge 2 ]; do
  a=$1 ours=$2
  ${RESOLVE}
  shift 2
  if { [ -e "$f" ] || [ -L "$f" ]; } && ! grep -qxF -- "$f" ${WRITTEN_LIST} 2>/dev/null; then
    if [ "$ours" = yes ]; then
      (umask 077 && mkdir -p -- "$(dirname -- ${WRITTEN_LIST})" && printf '%s\\n' "$f" >> ${WRITTEN_LIST})
    else
      echo "$a"
    fi
  fi
done`

/** Per \`USER:GROUP\` argument, a line for each of the two that does not exist. */
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
 * A file already at the key's path that guix-ops did not write (see
 * WRITTEN_LIST) stops it with exit 4, before anything is written; the path
 * is listed before the rename, so a key on the host is always one listed.
 */
export const WRITE_SCRIPT: string = `set -eu
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
if { [ -e "$dir/$name" ] || [ -L "$dir/$name" ]; } && ! grep -qxF -- "$dir/$name" ${WRITTEN_LIST} 2>/dev/null; then
  echo "$dir/$name exists and was not written by guix-ops" >&2
  exit 4
fi
tmp=$(umask 077 && mktemp -- "$dir/.$name.XXXXXX")
trap 'rm -f -- "$tmp"' EXIT
cat > "$tmp"
chown -h -- "$3:$4" "$tmp"
chmod -- "$5" "$tmp"
(umask 077 && mkdir -p -- "$(dirname -- ${WRITTEN_LIST})" &&
  { grep -qxF -- "$dir/$name" ${WRITTEN_LIST} 2>/dev/null || printf '%s\\n' "$dir/$name" >> ${WRITTEN_LIST}; })
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

/**
 * NAME FILE: on a host run by the Shepherd (Guix System) whose config has
 * the service \`guix-ops-key-NAME\` (from the guix driver's module
 * \`(guix-ops keys)\`), its \`refresh\` action: the service starts now that
 * FILE is there (or restarts, with the services running on it, for a new
 * value), and so do the stopped services that require it.
 */
export const SHEPHERD_SCRIPT: string = `if command -v herd >/dev/null 2>&1 && herd status "guix-ops-key-$1" >/dev/null 2>&1; then
  herd refresh "guix-ops-key-$1" >/dev/null
fi`

/** NAME: stops the Shepherd service of a key that left the config, and the services that require it. */
const SHEPHERD_STOP = `if command -v herd >/dev/null 2>&1 && herd status "guix-ops-key-$1" >/dev/null 2>&1; then
  herd stop "guix-ops-key-$1" >/dev/null
fi`

/**
 * NAME FILE UNIT(yes|no): removes the key, if guix-ops wrote it (else
 * prints `kept`), and, with yes, its unit (or stops its Shepherd service).
 */
export const REMOVE_SCRIPT: string = `set -eu
unit=/etc/systemd/system/guix-ops-key-$1.service
if [ "$3" = yes ]; then
  ${SHEPHERD_STOP}
fi
if [ "$3" = yes ] && [ -e "$unit" ]; then
  systemctl stop --no-block "guix-ops-key-$1.service" 2>/dev/null || true
  rm -f -- "$unit" "/etc/systemd/system/multi-user.target.wants/guix-ops-key-$1.service"
  if [ -d /run/systemd/system ]; then systemctl daemon-reload; fi
fi
set -- "$2"
${RESOLVE}
if grep -qxF -- "$f" ${WRITTEN_LIST} 2>/dev/null; then
  rm -f -- "$f"
  (umask 077 && { grep -vxF -- "$f" ${WRITTEN_LIST} > ${WRITTEN_LIST}.new || true; })
  mv -f -- ${WRITTEN_LIST}.new ${WRITTEN_LIST}
else
  echo kept
fi`
