/**
 * The life of a qemu machine: created as a copy-on-write overlay on a shared
 * base image, booted detached from the CLI (it outlives it; a pid file and a
 * QMP socket find it again), powered off gracefully, removed without a trace.
 */
import { mkdir, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import path from 'node:path'
import type { PluginContext } from '@guix-ops/plugin-api'
import { chooseAcceleration } from './accel.js'
import { QemuError, qemuError } from './errors.js'
import type { ImageInfo } from './images/cache.js'
import { resolveImage } from './images/resolve.js'
import { deploymentKey } from './keys.js'
import { madeWith } from './made.js'
import { ensureSwitch, leaseAddress, releaseAddress } from './network/private-network.js'
import type { QemuOptions } from './options.js'
import { run } from './process.js'
import type { QemuResource } from './resource.js'
import { runtimeDir } from './runtime-dir.js'
import { launch, logSize, waitForBoot } from './vm/boot.js'
import { qemuCommandLine } from './vm/command-line.js'
import { kill } from './vm/power.js'

const SIZE_UNITS = { M: 1024 ** 2, G: 1024 ** 3 } as const
const bytes = (size: string): number => Number(size.slice(0, -1)) * SIZE_UNITS[size.at(-1) as 'M' | 'G']

/** A free TCP port on 127.0.0.1, as the kernel picks it. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

/** Boots the machine's disk and waits until SSH answers; on any failure the QEMU process is gone. */
export async function boot(ctx: PluginContext, r: QemuResource): Promise<QemuResource> {
  await ensureSwitch(ctx.deploymentDir)
  const logOffset = await logSize(r.serialLog)
  ctx.progress.report(`starting the VM (${r.accel.toUpperCase()})`)
  await launch(r.argv, ctx.machine)
  try {
    const hostKey = await waitForBoot({
      serialLog: r.serialLog,
      pidFile: r.pidFile,
      sshPort: r.sshPort,
      logOffset,
      timeoutMs: r.bootTimeout * 1000,
      needHostKey: r.argv.includes('-kernel'),
      machine: ctx.machine,
      signal: ctx.signal,
      onProgress: (stage) => ctx.progress.report(stage),
    })
    if (r.hostKey && hostKey && hostKey !== r.hostKey)
      ctx.logger.warn(`the VM printed a host key that differs from the one recorded: ${hostKey}`)
    return { ...r, hostKey: r.hostKey ?? hostKey ?? null }
  } catch (error) {
    await kill(r)
    throw error
  }
}

/** The overlay cannot be smaller than the image it lies on. */
function checkDiskSize(ctx: PluginContext, diskSize: string, image: ImageInfo): void {
  if (bytes(diskSize) < image.virtualSize)
    throw qemuError(
      QemuError.Image,
      `diskSize ${diskSize} is smaller than the image ${image.name} (${Math.ceil(image.virtualSize / 1024 ** 3)}G)`,
      {
        machine: ctx.machine,
      },
    )
}

/** The machine's own disk: a copy-on-write overlay on the shared base image. */
async function createOverlay(ctx: PluginContext, image: ImageInfo, disk: string, diskSize: string): Promise<void> {
  ctx.progress.report(`creating its ${diskSize} disk on ${image.name}`)
  const made = await run([
    'qemu-img',
    'create',
    '-q',
    '-f',
    'qcow2',
    '-b',
    image.disk,
    '-F',
    image.format,
    disk,
    diskSize,
  ])
  if (made.code !== 0)
    throw qemuError(QemuError.Image, `cannot create the disk: ${made.stderr.trim()}`, { machine: ctx.machine })
}

/** Creates the machine: image, key, address, overlay disk, first boot. Leaves nothing behind if it fails. */
export async function create(ctx: PluginContext, options: QemuOptions): Promise<QemuResource> {
  const image = await resolveImage(options.image, options.imageSha256, {
    configDir: ctx.configDir,
    progress: ctx.progress,
    signal: ctx.signal,
  })
  checkDiskSize(ctx, options.diskSize, image)
  const acceleration = await chooseAcceleration(options.accel, image.kernel)
  if (acceleration.reason) ctx.logger.info(`using TCG emulation (slow): ${acceleration.reason}`)
  const key = await deploymentKey(ctx.deploymentDir, ctx.deployment.name)
  const lease = await leaseAddress(ctx.deploymentDir, ctx.machine)
  const dir = ctx.stateDir
  const runDir = await runtimeDir(dir)
  const layout = {
    name: `guix-ops-${ctx.deployment.name}-${ctx.machine}`,
    disk: path.join(dir, 'disk.qcow2'),
    serialLog: path.join(dir, 'serial.log'),
    pidFile: path.join(dir, 'qemu.pid'),
    qmpSocket: path.join(runDir, 'qmp.sock'),
    switchSocket: '',
  }
  let resource: QemuResource | undefined
  try {
    layout.switchSocket = await ensureSwitch(ctx.deploymentDir)
    await mkdir(dir, { recursive: true, mode: 0o700 })
    await createOverlay(ctx, image, layout.disk, options.diskSize)
    const sshPort = await freePort()
    resource = {
      dir,
      disk: layout.disk,
      serialLog: layout.serialLog,
      pidFile: layout.pidFile,
      qmpSocket: layout.qmpSocket,
      runtimeDir: runDir,
      sshPort,
      hostKey: null,
      address: lease.address,
      image: image.name,
      accel: acceleration.accel,
      bootTimeout: options.bootTimeout,
      argv: qemuCommandLine({
        options,
        image,
        layout,
        accel: acceleration.accel,
        sshPort,
        lease,
        hostname: ctx.machine,
        publicKey: key.publicKey,
      }),
      madeWith: madeWith(options),
    }
    return await boot(ctx, resource)
  } catch (error) {
    // The serial log stays: the error names it, and it says why the guest failed.
    await removeFiles(ctx, resource ?? { ...layout, runtimeDir: runDir }, { keepLog: true }).catch(() => undefined)
    throw error
  }
}

/** Everything the machine made: its process, disk, logs, sockets, address; the deployment's key and switch with the last machine. */
export async function removeFiles(
  ctx: PluginContext,
  r: Pick<QemuResource, 'disk' | 'serialLog' | 'pidFile' | 'qmpSocket' | 'runtimeDir'>,
  options: { keepLog?: boolean } = {},
): Promise<void> {
  await kill(r as QemuResource)
  const files = [r.disk, r.pidFile, r.qmpSocket, ...(options.keepLog ? [] : [r.serialLog])]
  for (const file of files) await rm(file, { force: true })
  await rm(r.runtimeDir, { recursive: true, force: true })
  const last = await releaseAddress(ctx.deploymentDir, ctx.machine)
  if (last)
    for (const file of ['qemu-ssh-key', 'qemu-ssh-key.pub'])
      await rm(path.join(ctx.deploymentDir, file), { force: true })
}
