#!/usr/bin/env node
// Boot to sshd answering, of one lxc container (an overlay clone of the
// cached base, written by the platform's own code with its identity), with
// eth0 set up by the base's ifupdown + dhclient, and by systemd-networkd as
// LXC's own Debian images set it up (lxc-ci images/debian.yaml: eth0.network
// with DHCP and the MAC as client id, networkd enabled), written here into
// the clone's upper layer: whether networkd would make boots quicker; and
// by ifupdown + dhclient with the DHCP lease the platform seeds into a new
// clone (seeded-lease.ts: one DHCPREQUEST, no wait while dnsmasq pings a
// new address); and the same with the units that have nothing to do in a
// container masked (`trimmed`, idle-units.ts), as the platform makes its
// clones now. Besides the time, the CPU the container used until sshd
// answered, from its cgroup (v1 cpuacct or v2 cpu.stat): thirty
// containers booting at once are bound by it. Each round makes a container of each kind in turn, with a MAC not seen before
// (so lxc-net's dnsmasq treats it as the new machine it would be), starts
// it, waits for sshd on its address and removes it. Medians over rounds, and
// each kind's median as a ratio of ifupdown's (without a seeded lease, the
// path before it) from the same run. Needs root
// and LXC. The networkd containers' leases are not given back (networkctl
// needs D-Bus, which the base lacks, and networkd 252 sends no release when
// stopped): they expire after lxc-net's lease time (an hour).
// Usage: node bench/lxc-boot.mjs [--rounds 3] [--kinds ifupdown,seeded,trimmed,networkd] [--json]
import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const dist = (file) => import(path.join(ROOT, 'plugins/lxc/dist', file))
const args = process.argv.slice(2)
const rounds = Number(args.includes('--rounds') ? args[args.indexOf('--rounds') + 1] : '3')
const asJson = args.includes('--json')
const kinds = (args.includes('--kinds') ? args[args.indexOf('--kinds') + 1] : 'ifupdown,seeded,trimmed,networkd').split(
  ',',
)

const { ensureBase } = await dist('base.js')
const { lxcPath } = await dist('containers.js')
const { injectIdentity } = await dist('inject.js')
const { keygen } = await dist('keys.js')
const { lxcOptions } = await dist('options.js')
const { writeOverlayClone } = await dist('overlay-clone.js')
const { waitForSsh } = await dist('probe.js')
const { seedLease } = await dist('seeded-lease.js')
const { maskIdleUnits } = await dist('idle-units.js')

const defaults = (await lxcOptions['~standard'].validate({})).value
const base = await ensureBase(defaults.release, defaults.arch, (m) => process.stderr.write(`${m}\n`))
const work = mkdtempSync(path.join(tmpdir(), 'guix-ops-bench-lxc-boot-'))
await keygen(path.join(work, 'key'), 'bench')
const publicKey = (await readFile(path.join(work, 'key.pub'), 'utf8')).trim()

const NETWORK = '[Match]\nName=eth0\n\n[Network]\nDHCP=ipv4\n\n[DHCPv4]\nClientIdentifier=mac\n'
/** What `systemctl enable systemd-networkd` links, and ifupdown's networking.service masked. */
const LINKS = [
  ['multi-user.target.wants/systemd-networkd.service', 'systemd-networkd.service'],
  ['sockets.target.wants/systemd-networkd.socket', 'systemd-networkd.socket'],
  ['network-online.target.wants/systemd-networkd-wait-online.service', 'systemd-networkd-wait-online.service'],
  ['dbus-org.freedesktop.network1.service', 'systemd-networkd.service'],
]

/** eth0 on networkd (the client id must be the MAC: clones share /etc/machine-id); DNS from lxc-net's dnsmasq. */
async function useNetworkd(upper) {
  const units = path.join(upper, 'etc/systemd/system')
  await mkdir(path.join(upper, 'etc/systemd/network'), { recursive: true })
  await writeFile(path.join(upper, 'etc/systemd/network/eth0.network'), NETWORK)
  for (const [link, unit] of LINKS) {
    await mkdir(path.dirname(path.join(units, link)), { recursive: true })
    await symlink(`/lib/systemd/system/${unit}`, path.join(units, link))
  }
  await symlink('/dev/null', path.join(units, 'networking.service'))
  await writeFile(path.join(upper, 'etc/resolv.conf'), 'nameserver 10.0.3.1\n')
}

const run = (argv) => spawnSync(argv[0], argv.slice(1), { stdio: 'ignore' })
const freshMac = () => `00:16:3e:${randomBytes(3).toString('hex').match(/../g).join(':')}`

/** CPU seconds the container has used, from its cgroup (v1 or v2). */
async function containerCpu(container) {
  const v1 = await readFile(`/sys/fs/cgroup/cpuacct/lxc.payload.${container}/cpuacct.usage`, 'utf8').catch(() => '')
  if (v1) return Number(v1) / 1e9
  const v2 = await readFile(`/sys/fs/cgroup/lxc.payload.${container}/cpu.stat`, 'utf8').catch(() => '')
  const usec = /^usage_usec (\d+)/m.exec(v2)?.[1]
  return usec ? Number(usec) / 1e6 : Number.NaN
}

/** Seconds from lxc-start to sshd answering on the container's address, and the container's CPU seconds by then. */
async function boot(kind, round) {
  const container = `guix-ops-bench-boot-${kind}-${round}`
  run(['lxc-destroy', '-f', '-n', container])
  const lines = ['# Added by guix-ops', `lxc.uts.name = ${container}`, `lxc.net.0.hwaddr = ${freshMac()}`]
  const upper = await writeOverlayClone({ lxcDir: await lxcPath(), base, container, lines, machine: container })
  const stateDir = mkdtempSync(path.join(work, 'state-'))
  await injectIdentity(upper, container, publicKey, stateDir)
  if (kind === 'networkd') await useNetworkd(upper)
  if ((kind === 'seeded' || kind === 'trimmed') && !(await seedLease(upper, container)))
    throw new Error('no lease could be seeded')
  if (kind === 'trimmed') await maskIdleUnits(upper)
  const started = performance.now()
  try {
    if (run(['lxc-start', '-n', container]).status !== 0) throw new Error(`lxc-start ${container} failed`)
    await waitForSsh(container, container, 180_000)
    return { seconds: (performance.now() - started) / 1000, cpu: await containerCpu(container) }
  } finally {
    if (kind !== 'networkd') run(['lxc-attach', '-n', container, '--clear-env', '--', 'timeout', '5', 'ifdown', 'eth0'])
    run(['lxc-destroy', '-f', '-n', container])
  }
}

function median(xs) {
  const sorted = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

const times = Object.fromEntries(kinds.map((kind) => [kind, []]))
const cpus = Object.fromEntries(kinds.map((kind) => [kind, []]))
try {
  for (let r = 0; r < rounds; r++)
    for (const kind of Object.keys(times)) {
      const { seconds, cpu } = await boot(kind, r)
      times[kind].push(seconds)
      cpus[kind].push(cpu)
      process.stderr.write(`round ${r + 1} ${kind}: ${seconds.toFixed(1)} s, container CPU ${cpu.toFixed(2)} s\n`)
    }
} finally {
  rmSync(work, { recursive: true, force: true })
}
const medians = Object.fromEntries(kinds.map((kind) => [kind, median(times[kind])]))
const cpuMedians = Object.fromEntries(kinds.map((kind) => [kind, median(cpus[kind])]))
const summary = {
  rounds,
  ...Object.fromEntries(
    kinds.map((kind) => [
      kind,
      { medianSeconds: medians[kind], runs: times[kind], medianCpuSeconds: cpuMedians[kind], cpuRuns: cpus[kind] },
    ]),
  ),
  ratioToIfupdown: Object.fromEntries(kinds.map((kind) => [kind, medians[kind] / medians.ifupdown])),
  cpuRatioToIfupdown: Object.fromEntries(kinds.map((kind) => [kind, cpuMedians[kind] / cpuMedians.ifupdown])),
}
const line = kinds
  .map(
    (kind) =>
      `${kind} ${medians[kind].toFixed(1)} s (ratio ${summary.ratioToIfupdown[kind].toFixed(2)}), ` +
      `CPU ${cpuMedians[kind].toFixed(2)} s (ratio ${summary.cpuRatioToIfupdown[kind].toFixed(2)})`,
  )
  .join('; ')
if (asJson) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`)
else process.stdout.write(`boot to sshd, median of ${rounds}: ${line}\n`)
