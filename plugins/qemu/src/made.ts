/**
 * What a VM was made with, kept in its resource, and how the options now
 * differ from it. Its hardware, disk, image and port forwards are fixed on
 * the QEMU command line it was made with (`argv`), which every later boot
 * reuses: only destroy then deploy applies a change to them. `bootTimeout`
 * is taken up at once and so is not kept here.
 */
import type { JsonValue, OptionChange } from '@guix-ops/plugin-api'
import { QemuError } from './codes.js'
import type { QemuOptions } from './options.js'

export interface MadeWith {
  [key: string]: JsonValue
  memory: number
  cpus: number
  diskSize: string
  image: string
  imageSha256: string | null
  accel: 'auto' | 'kvm' | 'tcg'
  ports: Record<string, number> | null
  extraArgs: string[] | null
}

export function madeWith(o: QemuOptions): MadeWith {
  return {
    memory: o.memory,
    cpus: o.cpus,
    diskSize: o.diskSize,
    image: o.image,
    imageSha256: o.imageSha256 ?? null,
    accel: o.accel,
    ports: o.ports ? { ...o.ports } : null,
    extraArgs: o.extraArgs ? [...o.extraArgs] : null,
  }
}

/** The options only a new VM takes, in the order they are told. */
const AT_CREATION_ONLY = ['memory', 'cpus', 'diskSize', 'image', 'imageSha256', 'accel', 'ports', 'extraArgs'] as const

/** Port maps compare by their pairs, whatever order the config wrote them in. */
function canonical(value: JsonValue): string {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return JSON.stringify(value)
  return JSON.stringify(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)))
}

export function optionChanges(made: MadeWith | null | undefined, o: QemuOptions): OptionChange[] {
  if (!made) return [] // made before guix-ops kept this record: what it has is unknown, so nothing is claimed (re-creating it records it)
  const now = madeWith(o)
  const changes: OptionChange[] = []
  for (const option of AT_CREATION_ONLY) {
    if (canonical(made[option]) === canonical(now[option])) continue
    changes.push({ option, from: made[option], to: now[option], applies: 'recreate', code: QemuError.Recreate })
  }
  return changes
}
