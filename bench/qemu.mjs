#!/usr/bin/env node
// Boot-to-SSH of qemu machines through guix-ops, against QEMU started by hand
// on the same image, kernel and uplink, to the same readiness (sshd
// answering on the forwarded port), measured in the same run; then a cold
// deploy of the quick start (image already cached). Reports guix-ops' overhead
// as a ratio to the raw boot. Needs root, QEMU and mmdebstrap (see bench/README.md).
// Usage: node bench/qemu.mjs [--rounds N] [--json] [--skip-quickstart]
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const BIN = path.join(ROOT, 'packages/cli/bin/run.js')
const args = process.argv.slice(2)
process.env.GUIX_OPS_CACHE_DIR ??= path.join(ROOT, '.tools/cache')
const { default: qemu, debianImage } = await import(path.join(ROOT, 'plugins/qemu/dist/index.js'))
const { testContext } = await import(path.join(ROOT, 'packages/platform-test-kit/dist/context.js'))
const { sshAnswers } = await import(path.join(ROOT, 'packages/plugin-api/bundle/index.js'))

const quiet = { report() {} }
const image = await debianImage(quiet)
const now = () => performance.now()
const freePort = () =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => resolve(port))
    })
  })

/** QEMU by hand: overlay, same kernel and devices, wait for an SSH banner. */
async function rawBoot(dir, name) {
  const disk = path.join(dir, `${name}.qcow2`)
  execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', '-b', image.disk, '-F', 'qcow2', disk, '3G'])
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, `${name}.key`)])
  const key = Buffer.from(execFileSync('cat', [path.join(dir, `${name}.key.pub`)])).toString('base64')
  const port = await freePort()
  const started = now()
  execFileSync('qemu-system-x86_64', [
    '-machine',
    'q35,accel=tcg',
    '-cpu',
    'max',
    '-m',
    '512',
    '-smp',
    '1',
    '-nodefaults',
    '-display',
    'none',
    '-drive',
    `file=${disk},if=virtio,format=qcow2`,
    '-netdev',
    `user,id=u,restrict=on,hostfwd=tcp:127.0.0.1:${port}-:22`,
    '-device',
    'virtio-net-pci,netdev=u,mac=52:54:00:12:34:56',
    '-serial',
    `file:${path.join(dir, `${name}.log`)}`,
    '-pidfile',
    path.join(dir, `${name}.pid`),
    '-daemonize',
    '-kernel',
    image.kernel,
    '-initrd',
    image.initrd,
    '-append',
    `root=/dev/vda rw console=ttyS0 guixops.hostname=${name} guixops.key=${key}`,
  ])
  while (!(await sshAnswers('127.0.0.1', port))) await new Promise((r) => setTimeout(r, 200))
  const ms = now() - started
  spawnSync('sh', ['-c', 'kill "$(cat "$1")"', 'sh', path.join(dir, `${name}.pid`)])
  return ms
}

/** Through the platform: provision (overlay, key, network, boot, host key) until it returns. */
async function guixOpsBoot(name) {
  const ctx = testContext(name)
  const parsed = await qemu.options['~standard'].validate({ memory: 512, diskSize: '3G', accel: 'tcg' })
  const started = now()
  const { resource } = await qemu.provision(ctx, { name, options: parsed.value })
  const ms = now() - started
  await qemu.destroy(ctx, resource)
  return ms
}

/** Boots `count` VMs at once; the time until the last one answers (clean-up after that is not counted). */
async function measure(label, count, boot) {
  const each = await Promise.all(Array.from({ length: count }, (_, i) => boot(`${label}${count}-${i}`)))
  return { wall: Math.max(...each), each }
}

// One TCG boot varies by several seconds from the next (seen: 30 s and 42 s
// in a row), so each case runs in several rounds and medians are compared.
const rounds = Number(args[args.indexOf('--rounds') + 1]) || 3
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const dir = mkdtempSync(path.join(tmpdir(), 'guix-ops-bench-qemu-'))
const results = {}
for (const count of [1, 3]) {
  const raw = []
  const ours = []
  for (let round = 0; round < rounds; round++) {
    // Alternate raw and ours so drifting machine load hits both alike.
    raw.push((await measure(`raw${round}-`, count, (n) => rawBoot(dir, n))).wall)
    ours.push((await measure(`ours${round}-`, count, guixOpsBoot)).wall)
  }
  const rawMs = median(raw)
  const guixOpsMs = median(ours)
  results[`${count} VM(s)`] = { rawMs, guixOpsMs, ratio: guixOpsMs / rawMs, rounds: { raw, guixOps: ours } }
}
rmSync(dir, { recursive: true, force: true })

if (!args.includes('--skip-quickstart')) {
  const stateDir = mkdtempSync(path.join(tmpdir(), 'guix-ops-bench-state-'))
  const env = { ...process.env, GUIX_OPS_STATE_DIR: stateDir }
  const cli = (argv) => {
    const r = spawnSync(process.execPath, [BIN, ...argv], { env, encoding: 'utf8' })
    if (r.status !== 0) throw new Error(`guix-ops ${argv.join(' ')} failed:\n${r.stderr}`)
  }
  cli(['create', path.join(ROOT, 'examples/quickstart/guix-ops.config.ts')])
  const started = now()
  cli(['deploy', '-d', 'quickstart'])
  results['quick start deploy, cold (image cached)'] = { guixOpsMs: now() - started }
  cli(['destroy', '-d', 'quickstart', '--yes'])
  rmSync(stateDir, { recursive: true, force: true })
}

if (args.includes('--json')) console.log(JSON.stringify(results, null, 2))
else
  for (const [name, r] of Object.entries(results))
    console.log(
      r.rawMs
        ? `${name.padEnd(12)} median of ${r.rounds.raw.length}: raw QEMU ${(r.rawMs / 1000).toFixed(1)} s, guix-ops ${(r.guixOpsMs / 1000).toFixed(1)} s: ratio ${r.ratio.toFixed(2)} (overhead ${((r.ratio - 1) * 100).toFixed(0)} %); rounds raw ${r.rounds.raw.map((ms) => (ms / 1000).toFixed(1)).join(', ')} s, guix-ops ${r.rounds.guixOps.map((ms) => (ms / 1000).toFixed(1)).join(', ')} s`
        : `${name}: ${(r.guixOpsMs / 1000).toFixed(1)} s`,
    )
