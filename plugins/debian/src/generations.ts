/**
 * Generations live on the target, in /var/lib/guix-ops (0700): one JSON
 * file each, and a `current` file naming the one in force. Any machine can
 * then deploy, check or roll back, not only the one that deployed last.
 */
import { GuixOpsError, type RemoteHost } from '@guix-ops/plugin-api'
import type { GenerationRecord } from './model.js'

export const STATE_DIR = '/var/lib/guix-ops'
const GENERATIONS = `${STATE_DIR}/generations`

export async function currentNumber(host: RemoteHost): Promise<number | undefined> {
  const result = await host.exec(['cat', `${STATE_DIR}/current`])
  const n = Number(result.stdout.trim())
  return result.code === 0 && Number.isInteger(n) && n > 0 ? n : undefined
}

export async function readGeneration(host: RemoteHost, number: number): Promise<GenerationRecord> {
  const result = await host.exec(['cat', `${GENERATIONS}/${number}.json`])
  if (result.code !== 0) {
    throw new GuixOpsError('E_DEBIAN_GENERATION', `debian: generation ${number} does not exist on this host`, {
      suggestion: 'see "guix-ops list-generations" for the ones that do',
    })
  }
  try {
    return JSON.parse(result.stdout) as GenerationRecord
  } catch {
    throw new GuixOpsError('E_DEBIAN_GENERATION', `debian: ${GENERATIONS}/${number}.json on the host is not valid JSON`)
  }
}

export async function currentGeneration(host: RemoteHost): Promise<GenerationRecord | undefined> {
  const n = await currentNumber(host)
  return n === undefined ? undefined : readGeneration(host, n)
}

export async function listNumbers(host: RemoteHost): Promise<number[]> {
  const result = await host.exec(['ls', '-1', GENERATIONS])
  if (result.code !== 0) return []
  return result.stdout
    .split('\n')
    .map((name) => Number(name.replace(/\.json$/, '')))
    .filter((n) => Number.isInteger(n) && n > 0)
    .sort((a, b) => a - b)
}

export async function writeGeneration(host: RemoteHost, record: GenerationRecord): Promise<void> {
  await host.exec(['install', '-d', '-m', '0700', STATE_DIR, GENERATIONS])
  await host.upload(`${GENERATIONS}/${record.number}.json`, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 })
  await setCurrent(host, record.number)
}

export async function setCurrent(host: RemoteHost, number: number): Promise<void> {
  await host.upload(`${STATE_DIR}/current`, `${number}\n`, { mode: 0o600 })
}

export async function deleteGenerationFile(host: RemoteHost, number: number): Promise<void> {
  await host.exec(['rm', '-f', '--', `${GENERATIONS}/${number}.json`])
}
