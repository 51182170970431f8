// The three tools, each given the same work: on every host the directory
// SITE.dir (0755) holding the files of SITE_FILES, read from the bench's
// local site/ folder (one of them 0600). Every tool checks host keys against
// the keys the bench generated: guix-ops pins them in its config (hostKey),
// Ansible and pyinfra read a known_hosts file with StrictHostKeyChecking.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { pidsWithArg } from './measure.mjs'

export const SITE_DIR = '/var/lib/peers/site'
export const SITE_FILES = { 'app.conf': 0o644, 'hosts.txt': 0o644, motd: 0o644, 'secret.key': 0o600 }
const octal = (mode) => mode.toString(8).padStart(4, '0')

function knownHosts(work, hosts) {
  const file = path.join(work, 'known_hosts')
  writeFileSync(file, hosts.map((h) => `[${h.address}]:${h.port} ${h.hostKey}\n`).join(''))
  return file
}

/** guix-ops: managed machines with the debian driver, deployed with `--parallel`. */
export function guixOps({ root, parallel, label = 'guix-ops' }) {
  const bin = path.join(root, 'packages/cli/bin/run.js')
  const name = parallel ? `${label} -p${parallel}` : label
  return {
    name,
    unavailable: () => (existsSync(bin) ? undefined : 'not built (npm run build)'),
    setup(work, hosts, identity) {
      const dir = path.join(work, name.replace(/\W+/g, '-'))
      mkdirSync(dir, { recursive: true })
      const files = Object.entries(SITE_FILES)
        .map(([f, mode]) => `'${SITE_DIR}/${f}': { source: '${work}/site/${f}', mode: '${octal(mode)}' }`)
        .join(', ')
      const machines = hosts.map(
        (h, i) =>
          `h${i}: { platform: { type: 'managed', host: '${h.address}', port: ${h.port}, user: 'root', identity: '${identity}', hostKey: '${h.hostKey}' },\n` +
          `  system: { type: 'debian', autoRollback: false, directories: { '${SITE_DIR}': { mode: '0755' } }, files: { ${files} } } },`,
      )
      const config = path.join(dir, 'guix-ops.config.ts')
      writeFileSync(config, `export default { name: 'peers', machines: {\n${machines.join('\n')}\n} }\n`)
      const env = { GUIX_OPS_STATE_DIR: path.join(dir, 'state') }
      return {
        // A cold deploy starts from no state at all: a fresh state dir and `create`, not timed.
        beforeCold() {
          rmSync(env.GUIX_OPS_STATE_DIR, { recursive: true, force: true })
          mkdirSync(env.GUIX_OPS_STATE_DIR, { mode: 0o700 })
          const made = spawnSync(bin, ['create', config], {
            env: { ...process.env, ...env },
            encoding: 'utf8',
          })
          if (made.status !== 0) throw new Error(`guix-ops create failed: ${made.stderr}`)
        },
        // The command as a user runs it: its own #! line, not `node run.js`.
        argv: [bin, 'deploy', '-d', 'peers', ...(parallel ? ['--parallel', String(parallel)] : [])],
        env,
        cwd: dir,
        after() {},
      }
    },
  }
}

/** Ansible (Debian's ansible-core), tuned: pipelining, one fork per host, its default SSH ControlPersist. */
export function ansible() {
  const bin = '/usr/bin/ansible-playbook'
  return {
    name: 'ansible',
    unavailable: () => (existsSync(bin) ? undefined : 'ansible-playbook is missing (apt-get install ansible-core)'),
    setup(work, hosts, identity) {
      const dir = path.join(work, 'ansible')
      mkdirSync(dir, { recursive: true })
      const known = knownHosts(dir, hosts)
      const controlDir = path.join(dir, 'cp')
      writeFileSync(
        path.join(dir, 'inventory.ini'),
        `[peers]\n${hosts.map((h, i) => `h${i} ansible_host=${h.address} ansible_port=${h.port}\n`).join('')}` +
          `[peers:vars]\nansible_user=root\nansible_ssh_private_key_file=${identity}\n`,
      )
      writeFileSync(
        path.join(dir, 'ansible.cfg'),
        [
          '[defaults]',
          `inventory = ${dir}/inventory.ini`,
          `forks = ${Math.max(5, hosts.length)}`,
          'host_key_checking = True',
          'gathering = explicit',
          'interpreter_python = /usr/bin/python3',
          `local_tmp = ${dir}/tmp`,
          'remote_tmp = /var/lib/.ansible-tmp',
          'retry_files_enabled = False',
          '[ssh_connection]',
          'pipelining = True',
          `ssh_args = -C -o ControlMaster=auto -o ControlPersist=60s -o UserKnownHostsFile=${known} -o StrictHostKeyChecking=yes`,
          `control_path_dir = ${controlDir}`,
          '',
        ].join('\n'),
      )
      const copies = Object.entries(SITE_FILES)
        .map(([f, mode]) => `        - { name: '${f}', mode: '${octal(mode)}' }`)
        .join('\n')
      writeFileSync(
        path.join(dir, 'site.yml'),
        `- hosts: peers\n  gather_facts: false\n  tasks:\n` +
          `    - file: { path: '${SITE_DIR}', state: directory, mode: '0755' }\n` +
          `    - copy: { src: '${work}/site/{{ item.name }}', dest: '${SITE_DIR}/{{ item.name }}', mode: '{{ item.mode }}' }\n` +
          `      loop:\n${copies}\n`,
      )
      return {
        beforeCold() {},
        argv: [bin, 'site.yml'],
        env: { ANSIBLE_CONFIG: path.join(dir, 'ansible.cfg'), ANSIBLE_NOCOLOR: '1' },
        cwd: dir,
        // The SSH masters, detached from Ansible's tree: their ControlPath is in controlDir.
        detached: () => pidsWithArg(controlDir),
        // Close the SSH masters ControlPersist left, so the next cold run connects afresh.
        after() {
          if (!existsSync(controlDir)) return
          for (const socket of spawnSync('ls', [controlDir], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean))
            spawnSync('ssh', ['-o', `ControlPath=${path.join(controlDir, socket)}`, '-O', 'exit', 'bench'], {
              stdio: 'ignore',
            })
        },
      }
    },
  }
}

/** pyinfra from a source checkout (PYINFRA=dir) over Debian's python3 libraries. */
export function pyinfra() {
  const source = process.env.PYINFRA
  return {
    name: 'pyinfra',
    unavailable() {
      if (!source) return 'PYINFRA is not set (a pyinfra source checkout; see bench/README.md)'
      if (!existsSync(path.join(source, 'pyinfra_cli'))) return `PYINFRA=${source} holds no pyinfra_cli`
      return undefined
    },
    setup(work, hosts, identity) {
      const dir = path.join(work, 'pyinfra')
      mkdirSync(dir, { recursive: true })
      const known = knownHosts(dir, hosts)
      const data = (h) =>
        `{"ssh_port": ${h.port}, "ssh_user": "root", "ssh_key": "${identity}", "ssh_known_hosts_file": "${known}", "ssh_strict_host_key_checking": "yes", "ssh_look_for_keys": False, "ssh_allow_agent": False}`
      writeFileSync(
        path.join(dir, 'inventory.py'),
        `peers = [\n${hosts.map((h) => `    ("${h.address}", ${data(h)}),\n`).join('')}]\n`,
      )
      const puts = Object.entries(SITE_FILES)
        .map(([f, mode]) => `files.put(src="${work}/site/${f}", dest="${SITE_DIR}/${f}", mode="${mode.toString(8)}")\n`)
        .join('')
      writeFileSync(
        path.join(dir, 'deploy.py'),
        `from pyinfra.operations import files\n\nfiles.directory(path="${SITE_DIR}", mode="755")\n${puts}`,
      )
      return {
        beforeCold() {},
        // Importing pyinfra_cli.__main__ runs the CLI, as the installed `pyinfra` script does (not `python -m`).
        argv: [
          '/usr/bin/python3',
          '-c',
          "import sys; sys.argv[0] = 'pyinfra'; import pyinfra_cli.__main__",
          'inventory.py',
          'deploy.py',
          '-y',
          '--parallel',
          String(hosts.length),
        ],
        // Any PYTHONPATH given (e.g. a newer typeguard than Debian's) stays after the checkout.
        env: { PYTHONPATH: [source, process.env.PYTHONPATH].filter(Boolean).join(':') },
        cwd: dir,
        after() {},
      }
    },
  }
}
