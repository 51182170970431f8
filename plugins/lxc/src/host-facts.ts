/** What options are checked against: this host's memory, CPUs, architecture and Debian release. */
import { existsSync, readFileSync } from 'node:fs'
import { availableParallelism, totalmem } from 'node:os'

export const hostMemoryMiB: number = Math.floor(totalmem() / 1024 / 1024)
export const hostCpus: number = availableParallelism()

/** Debian's name for this host's architecture. */
export const hostArch: string =
  ({ x64: 'amd64', arm64: 'arm64', ia32: 'i386' } as Record<string, string>)[process.arch] ?? process.arch

/** Architectures this host runs natively (a 64-bit PC also runs 32-bit userlands). */
export const runnableArchs: readonly string[] = hostArch === 'amd64' ? ['amd64', 'i386'] : [hostArch]

export function hostCodename(osRelease = '/etc/os-release'): string | undefined {
  if (!existsSync(osRelease)) return undefined
  return /^VERSION_CODENAME=("?)([a-z]+)\1$/m.exec(readFileSync(osRelease, 'utf8'))?.[2]
}
