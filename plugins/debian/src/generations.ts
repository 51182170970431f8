/**
 * Generations live on the target, in the machine's own directory (0700, see
 * layout.ts): one JSON file each, and a `current` file naming the one in
 * force. Any machine can then deploy, check or roll back, not only the one
 * that deployed last.
 */
import { GuixOpsError, type RemoteHost } from '@guix-ops/plugin-api'
import { DebianError } from './codes.js'
import { type Layout, recordDirs } from './layout.js'
import type { GenerationRecord } from './model.js'

export async function currentNumber(host: RemoteHost, layout: Layout): Promise<number | undefined> {
  const result = await host.exec(['cat', layout.current])
  const n = Number(result.stdout.trim())
  return result.code === 0 && Number.isInteger(n) && n > 0 ? n : undefined
}

export async function readGeneration(host: RemoteHost, layout: Layout, number: number): Promise<GenerationRecord> {
  const file = `${layout.generations}/${number}.json`
  const result = await host.exec(['cat', file])
  if (result.code !== 0) {
    throw new GuixOpsError(DebianError.Generation, `debian: generation ${number} does not exist on this host`, {
      suggestion: 'see "guix-ops list-generations" for the ones that do',
    })
  }
  try {
    return JSON.parse(result.stdout) as GenerationRecord
  } catch {
    throw new GuixOpsError(DebianError.Generation, `debian: ${file} on the host is not valid JSON`)
  }
}

export async function currentGeneration(host: RemoteHost, layout: Layout): Promise<GenerationRecord | undefined> {
  const n = await currentNumber(host, layout)
  return n === undefined ? undefined : readGeneration(host, layout, n)
}

export async function listNumbers(host: RemoteHost, layout: Layout): Promise<number[]> {
  const result = await host.exec(['ls', '-1', layout.generations])
  if (result.code !== 0) return []
  return result.stdout
    .split('\n')
    .map((name) => Number(name.replace(/\.json$/, '')))
    .filter((n) => Number.isInteger(n) && n > 0)
    .sort((a, b) => a - b)
}

export async function writeGeneration(host: RemoteHost, layout: Layout, record: GenerationRecord): Promise<void> {
  await host.exec(['install', '-d', '-m', '0700', ...recordDirs(layout), layout.generations])
  await host.upload(layout.ownerFile, `${JSON.stringify(layout.owner)}\n`, { mode: 0o600 })
  await host.upload(`${layout.generations}/${record.number}.json`, `${JSON.stringify(record, null, 2)}\n`, {
    mode: 0o600,
  })
  await setCurrent(host, layout, record.number)
}

export async function setCurrent(host: RemoteHost, layout: Layout, number: number): Promise<void> {
  await host.upload(layout.current, `${number}\n`, { mode: 0o600 })
}

export async function deleteGenerationFile(host: RemoteHost, layout: Layout, number: number): Promise<void> {
  await host.exec(['rm', '-f', '--', `${layout.generations}/${number}.json`])
}
