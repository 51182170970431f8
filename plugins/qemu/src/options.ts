/** Options of `platform: { type: 'qemu', ... }`, checked when a deployment is created. */
import { totalmem } from 'node:os'
import type { StandardSchemaV1 } from '@guix-ops/plugin-api'
import { z } from 'zod'

const MiB = 1024 * 1024
const hostMemoryMiB: number = Math.floor(totalmem() / MiB)

const schema = z
  .strictObject({
    /** Guest memory in MiB. */
    memory: z
      .number()
      .int()
      .min(256)
      .refine((m) => m <= hostMemoryMiB, { message: `is more than this host has (${hostMemoryMiB} MiB)` })
      .default(1024),
    cpus: z.number().int().min(1).max(64).default(1),
    /** Disk size of the machine's overlay, e.g. `8G` or `512M`. */
    diskSize: z
      .string()
      .regex(/^[1-9][0-9]*[MG]$/, { message: 'expected a size like "8G" or "512M"' })
      .default('8G'),
    /** A local qcow2/raw file, an https URL (with `imageSha256`), or a builder name such as `debian`. */
    image: z.string().min(1).default('debian'),
    imageSha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/, { message: 'expected 64 lower-case hex digits' })
      .optional(),
    arch: z
      .enum(['x86_64', 'aarch64'])
      .optional()
      .refine((a) => a !== 'aarch64', { message: 'aarch64 guests are not supported in this release; use x86_64' }),
    accel: z.enum(['auto', 'kvm', 'tcg']).default('auto'),
    /** Guest TCP port -> host port on 127.0.0.1. */
    ports: z
      .record(
        z.string().regex(/^[0-9]+$/, { message: 'expected a guest port number' }),
        z.number().int().min(1).max(65535),
      )
      .optional(),
    extraArgs: z.array(z.string()).optional(),
    /** Seconds to wait for SSH after boot; emulation without KVM is slow. */
    bootTimeout: z.number().int().min(10).max(3600).default(300),
  })
  .refine((o) => !o.image.startsWith('https://') || o.imageSha256 !== undefined, {
    message: 'an image URL needs imageSha256',
    path: ['imageSha256'],
  })
  .refine((o) => !o.image.startsWith('http://'), {
    message: 'image URLs must use https',
    path: ['image'],
  })

/** The options once validated, defaults filled in. */
export interface QemuOptions {
  memory: number
  cpus: number
  diskSize: string
  image: string
  imageSha256?: string | undefined
  arch?: 'x86_64' | 'aarch64' | undefined
  accel: 'auto' | 'kvm' | 'tcg'
  ports?: Record<string, number> | undefined
  extraArgs?: string[] | undefined
  bootTimeout: number
}

export const qemuOptions: StandardSchemaV1<unknown, QemuOptions> = schema
