/**
 * A recording stand-in for Guix on the deploying machine, for the driver's
 * "build here" path, and the `guix archive` half it needs on the target.
 * It follows what these commands do in Guix 1.4 (the behaviour the driver
 * relies on, not their internals; no real Guix runs here):
 *
 * - `guix system build FILE` (guix/scripts/system.scm, action `build`):
 *   prints the system's store file name on stdout, build logs on stderr.
 *   The stand-in's system is a directory named after a hash of the config,
 *   its directory and the load path, holding a copy of the config and an `activate` script
 *   that does what activate-current-system of gnu/build/activation.scm
 *   does: link /run/current-system to GUIX_NEW_SYSTEM, or failing that to
 *   the booted system (`--system=`/`gnu.system=` on the kernel command
 *   line, which a container does not have: the activation then fails).
 * - `guix archive --export -r ITEM` (guix/scripts/archive.scm): the closure
 *   on stdout, signed with this machine's key, %config-directory's
 *   signing-key.* ((guix pki), (guix config): GUIX_CONFIGURATION_DIRECTORY
 *   or /etc/guix). Here: a line naming the signer (the sha256 of
 *   signing-key.pub), then a tar of the store items.
 * - `guix archive --authorize` (authorize-key in guix/scripts/archive.scm):
 *   adds the public key read on stdin to the ACL, /etc/guix/acl.
 * - `guix archive --import`: the daemon refuses an archive whose signer is
 *   not in the ACL (importPath in nix/libstore/local-store.cc: "unauthorized
 *   public key"), else the items appear in /gnu/store.
 * - `guix archive --generate-key`: writes the key pair.
 * `guix time-machine -C FILE -- ...` runs the rest as it is.
 * Every call is appended to a log; a file `fail-build` in the stand-in's
 * directory makes `system build` fail with its content.
 */
import { execFileSync } from 'node:child_process'
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { STANDIN } from './guix-standin.js'
import type { TestHost } from './lxc.js'

/** `guix archive` as the stand-ins do it, on either side; `$STORE` is where items are, `$CONF` the key dir. */
const ARCHIVE = `
signer() { sha256sum "$CONF/signing-key.pub" | cut -d' ' -f1; }
archive() {
  case "$1" in
    --generate-key)
      mkdir -p "$CONF"
      head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \\n' > "$CONF/signing-key.sec"
      printf '(public-key (ecc (curve Ed25519) (q #%s#)))\\n' "$(sha256sum "$CONF/signing-key.sec" | cut -d' ' -f1)" > "$CONF/signing-key.pub"
      chmod 0400 "$CONF/signing-key.sec" ;;
    --export)
      [ -r "$CONF/signing-key.sec" ] || { echo "guix archive: error: cannot read signing key $CONF/signing-key.sec" >&2; exit 1; }
      shift; [ "$1" = -r ] && shift
      names=''
      for item in "$@"; do
        [ -d "$STORE/\${item#/gnu/store/}" ] || { echo "guix archive: error: path '$item' is not valid" >&2; exit 1; }
        names="$names \${item#/gnu/store/}"
      done
      echo "guix-standin-archive $(signer)"
      tar -C "$STORE" -cf - $names ;;
    --authorize)
      key=$(sha256sum | cut -d' ' -f1)
      mkdir -p "$CONF"
      grep -qx "(entry $key)" "$CONF/acl" 2>/dev/null || echo "(entry $key)" >> "$CONF/acl" ;;
    --import)
      IFS= read -r header
      key=\${header#guix-standin-archive }
      grep -qx "(entry $key)" "$CONF/acl" 2>/dev/null || { echo "guix archive: error: unauthorized public key: $key" >&2; exit 1; }
      mkdir -p "$STORE"
      tar -C "$STORE" -xf - ;;
    *) echo "guix archive: stand-in does not know: $*" >&2; exit 2 ;;
  esac
}
`

function localGuix(dir: string): string {
  return `#!/bin/sh
D=${dir}
STORE=$D/store
CONF=\${GUIX_CONFIGURATION_DIRECTORY:-/etc/guix}
printf '%s\\n' "guix $*" >> $D/log
${ARCHIVE}
if [ "$1" = time-machine ]; then
  while [ "$1" != -- ]; do shift; done
  shift
fi
build() {
  shift 2
  loadpath=''; system=''
  while [ $# -gt 1 ]; do
    case "$1" in
      -L) loadpath="$loadpath $2"; shift 2 ;;
      --system=*) system=\${1#--system=}; shift ;;
      *) shift ;;
    esac
  done
  config=$1
  [ -f $D/fail-build ] && { cat $D/fail-build >&2; exit 1; }
  # What the config loads or names (local-file) is in the system too: its whole directory counts.
  hash=$( { cat "$config"; for dir in "$(dirname "$config")" $loadpath; do find "$dir" -type f | sort | xargs cat; done; echo "$system"; } | sha256sum | cut -c1-32 | tr e z)
  name=$hash-system
  echo "building /gnu/store/$name.drv..." >&2
  mkdir -p "$STORE/$name"
  cp "$config" "$STORE/$name/config.scm"
  cat > "$STORE/$name/activate" <<'EOF'
#!/bin/sh
booted=$(tr ' ' '\\n' < /proc/cmdline | sed -n 's/^\\(--system\\|gnu\\.system\\)=//p' | head -n 1)
system=\${GUIX_NEW_SYSTEM:-$booted}
[ -n "$system" ] || { echo "activate: no GUIX_NEW_SYSTEM, and no system on the kernel command line" >&2; exit 1; }
echo "making '$system' the current system..."
ln -sfn "$system" /run/current-system.new && mv -T /run/current-system.new /run/current-system
EOF
  chmod +x "$STORE/$name/activate"
  echo "/gnu/store/$name"
}
case "$1 $2" in
  "system build") build "$@" ;;
  "archive "*) shift; archive "$@" ;;
  *) echo "guix: stand-in does not know: $*" >&2; exit 2 ;;
esac
`
}

/** The target's `guix archive`, in front of the target stand-in's `guix` (which does the rest). */
const TARGET_WRAPPER = `#!/bin/sh
STORE=/gnu/store
CONF=/etc/guix
${ARCHIVE}
case "$1" in
  archive) printf '%s\\n' "guix $*" >> ${STANDIN}/log; shift; archive "$@" ;;
  *) exec /usr/local/libexec/guix-target-standin "$@" ;;
esac
`

export interface LocalGuix {
  /** The directory to put first on PATH: it holds `guix`. */
  bin: string
  /** GUIX_CONFIGURATION_DIRECTORY for the deploying process: signing-key.pub and .sec. */
  configDir: string
  /** Every call, `guix system build ...`. */
  log(): string[]
  /** Store file names built so far. */
  built(): string[]
  /** Makes the next `guix system build` fail with this message; `undefined` clears it. */
  failBuild(message: string | undefined): void
}

/** A local `guix` stand-in in a temp dir, with a signing key made by its own `--generate-key`. */
export function installLocalGuix(): LocalGuix {
  const dir = mkdtempSync(path.join(tmpdir(), 'guix-ops-local-guix-'))
  const bin = path.join(dir, 'bin')
  mkdirSync(bin)
  mkdirSync(path.join(dir, 'store'))
  writeFileSync(path.join(bin, 'guix'), localGuix(dir))
  chmodSync(path.join(bin, 'guix'), 0o755)
  const configDir = path.join(dir, 'etc-guix')
  const guix = path.join(bin, 'guix')
  execFileSync(guix, ['archive', '--generate-key'], {
    env: { ...process.env, GUIX_CONFIGURATION_DIRECTORY: configDir },
  })
  writeFileSync(path.join(dir, 'log'), '')
  const failFile = path.join(dir, 'fail-build')
  return {
    bin,
    configDir,
    log: () => readFileSync(path.join(dir, 'log'), 'utf8').split('\n').filter(Boolean),
    built: () => readdirSync(path.join(dir, 'store')).map((name) => `/gnu/store/${name}`),
    failBuild: (message) =>
      message === undefined ? rmSync(failFile, { force: true }) : writeFileSync(failFile, message),
  }
}

/** Gives the target stand-in `guix archive --authorize/--import`; everything else still goes to it. */
export function addArchiveToTarget(host: TestHost): void {
  host.exec([
    'sh',
    '-c',
    'mkdir -p /usr/local/libexec && mv /usr/local/bin/guix /usr/local/libexec/guix-target-standin',
  ])
  host.exec(['sh', '-c', 'cat > /usr/local/bin/guix && chmod 0755 /usr/local/bin/guix'], TARGET_WRAPPER)
}
