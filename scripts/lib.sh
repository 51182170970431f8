# Shared set-up for the scripts in this directory; sourced, not run.
# Makes sure a Node.js >= 22.18 is on PATH (installing Node 24 from the npm
# registry into .tools/ when the machine's is older), then installs the
# workspace's dependencies and builds it when anything changed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools"
MIN_NODE="22.18.0"

log() { printf '==> %s\n' "$*" >&2; }

node_ok() {
  command -v node >/dev/null 2>&1 || return 1
  node -e "const [a,b]=process.versions.node.split('.').map(Number);const [x,y]=process.argv[1].split('.').map(Number);process.exit(a>x||(a===x&&b>=y)?0:1)" "$MIN_NODE"
}

ensure_node() {
  if node_ok; then return; fi
  local local_bin="$TOOLS/node/node_modules/node/bin"
  if [ -x "$local_bin/node" ]; then
    export PATH="$local_bin:$PATH"
    node_ok && return
  fi
  if ! command -v npm >/dev/null 2>&1; then
    log "no npm on this machine: installing Debian's nodejs and npm to bootstrap"
    if [ "$(id -u)" = 0 ]; then
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
    else
      echo "error: Node.js >= $MIN_NODE and npm are needed; install npm (apt-get install npm) and retry" >&2
      exit 1
    fi
  fi
  log "node $(node --version 2>/dev/null || echo none) is older than $MIN_NODE: installing Node 24 into .tools/node"
  npm install --silent --no-audit --no-fund --prefix "$TOOLS/node" node@24 >/dev/null
  export PATH="$local_bin:$PATH"
  node_ok || { echo "error: could not set up Node.js >= $MIN_NODE" >&2; exit 1; }
}

# The headers of the Node.js that runs guix-ops, for native addons (ssh2's
# crypto binding, cpu-features). npm may be set to build against another
# Node's (a machine's older one, `nodedir=/usr`): the addon then fails to
# load, and ssh2 quietly falls back to a cipher object per packet. Empty when
# none are found here: npm's own setting stands.
node_headers() {
  local exe major platform dir
  { read -r exe; read -r major; read -r platform; } < <(
    node -p '[process.execPath, process.versions.node.split(".")[0], `${process.platform}-${process.arch}`].join("\n")'
  )
  for dir in "$(dirname "$(dirname "$exe")")" "$TOOLS/node/node_modules/node/node_modules/node-$platform"; do
    if grep -qs "^#define NODE_MAJOR_VERSION $major\$" "$dir/include/node/node_version.h"; then
      printf '%s\n' "$dir"
      return
    fi
  done
}

# Installs dependencies when package-lock.json changed since the last install,
# or the Node.js that runs them, or its headers, did (addons are built for them).
ensure_deps() {
  local stamp="$ROOT/node_modules/.guix-ops-installed" headers wanted
  headers="$(node_headers)"
  wanted="$(node --version) ${headers:-no headers}"
  if [ ! -f "$stamp" ] || [ "$ROOT/package-lock.json" -nt "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
    if [ -n "$headers" ]; then
      log "installing dependencies (npm ci), native addons built against $headers"
    else
      log "installing dependencies (npm ci); no headers of node $(node --version) here: npm's own setting builds its addons, and ssh2 falls back to slower crypto if they do not load"
    fi
    (
      cd "$ROOT"
      [ -z "$headers" ] || export npm_config_nodedir="$headers"
      npm ci --no-audit --no-fund --loglevel=error
    )
    printf '%s\n' "$wanted" >"$stamp"
  fi
}

ensure_build() {
  log "building"
  (cd "$ROOT" && npm run --silent build)
}

# Debian packages the tests use: a real sshd and ssh-keygen for the SSH
# transport, Guile to read back s-expression exports, LXC (with debootstrap)
# (and dnsmasq-base for lxc-net's DHCP) for real Debian hosts and the lxc
# platform, dpkg-dev to build their local apt repository,
# openssl for a loopback HTTPS server's certificate, nftables to cut a test
# host's connection inside its own network namespace, python3-botocore for
# AWS's own EC2 API model that the loopback EC2 endpoint is checked against.
# Installed when running as root; otherwise the tests that need them are
# skipped, saying why.
ensure_test_packages() {
  local need=()
  [ -x /usr/sbin/sshd ] || need+=(openssh-server)
  command -v ssh-keygen >/dev/null 2>&1 || need+=(openssh-client)
  command -v guile >/dev/null 2>&1 || need+=(guile-3.0)
  command -v lxc-create >/dev/null 2>&1 || need+=(lxc)
  command -v debootstrap >/dev/null 2>&1 || need+=(debootstrap)
  # lxc-net's DHCP server, for the lxc platform's containers (lxc only recommends it).
  command -v dnsmasq >/dev/null 2>&1 || need+=(dnsmasq-base)
  command -v dpkg-scanpackages >/dev/null 2>&1 || need+=(dpkg-dev)
  command -v openssl >/dev/null 2>&1 || need+=(openssl)
  command -v nft >/dev/null 2>&1 || need+=(nftables)
  [ -d /usr/lib/python3/dist-packages/botocore/data/ec2 ] || need+=(python3-botocore)
  if [ "$(id -u)" != 0 ]; then
    [ "${#need[@]}" -eq 0 ] || log "not root: tests needing ${need[*]} will be skipped"
    return
  fi
  if [ "${#need[@]}" -gt 0 ]; then
    log "installing ${need[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  fi
  # sshd's privilege separation dir; a package's service setup makes it, but no service runs here.
  install -d -m 0755 /run/sshd
  # Subordinate ids for root, which the lxc platform's unprivileged containers map their ids to.
  grep -q '^root:' /etc/subuid 2>/dev/null && grep -q '^root:' /etc/subgid 2>/dev/null ||
    usermod --add-subuids 100000-165535 --add-subgids 100000-165535 root
  raise_inotify_instances
}

# systemd in each privileged container holds ~7 of root's inotify instances, and
# the end-to-end tests run ~25 containers at once: at the kernel's default of 128
# the containers' services fail to start and their DHCP leases lapse.
raise_inotify_instances() {
  local now
  now=$(cat /proc/sys/fs/inotify/max_user_instances 2>/dev/null || echo 0)
  if [ "$now" -lt 1024 ]; then
    log "raising fs.inotify.max_user_instances from $now to 1024 for the test containers"
    echo 1024 > /proc/sys/fs/inotify/max_user_instances # what sysctl -w does, without needing procps
  fi
}

# What the qemu platform needs: QEMU, qemu-img, mmdebstrap to build the base
# image, ssh-keygen, and apt's package lists for pushing packages to VMs.
ensure_vm_packages() {
  local need=()
  command -v qemu-system-x86_64 >/dev/null 2>&1 || need+=(qemu-system-x86)
  command -v qemu-img >/dev/null 2>&1 || need+=(qemu-utils)
  command -v mmdebstrap >/dev/null 2>&1 || need+=(mmdebstrap)
  command -v ssh-keygen >/dev/null 2>&1 || need+=(openssh-client)
  if [ "$(id -u)" != 0 ]; then
    [ "${#need[@]}" -eq 0 ] || { echo "error: install ${need[*]} (as root: apt-get install ${need[*]})" >&2; exit 1; }
    return
  fi
  if [ "${#need[@]}" -gt 0 ] || ! ls /var/lib/apt/lists/*_Packages* >/dev/null 2>&1; then
    log "installing ${need[*]:-nothing new} (and refreshing apt's package lists)"
    apt-get update -qq
    [ "${#need[@]}" -eq 0 ] || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  fi
}

setup() {
  ensure_node
  ensure_deps
}
