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
import { cannotArm } from './safety.js'

export async function currentNumber(host: RemoteHost, layout: Layout): Promise<number | undefined> {
  const result = await host.exec(['cat', layout.current])
  const n = Number(result.stdout.trim())
  return result.code === 0 && Number.isInteger(n) && n > 0 ? n : undefined
}

const missing = (number: number) =>
  new GuixOpsError(DebianError.Generation, `debian: generation ${number} does not exist on this host`, {
    suggestion: 'see "guix-ops list-generations" for the ones that do',
  })

function parseRecord(file: string, text: string): GenerationRecord {
  try {
    return JSON.parse(text) as GenerationRecord
  } catch {
    throw new GuixOpsError(DebianError.Generation, `debian: ${file} on the host is not valid JSON`)
  }
}

export async function readGeneration(host: RemoteHost, layout: Layout, number: number): Promise<GenerationRecord> {
  const file = `${layout.generations}/${number}.json`
  const result = await host.exec(['cat', file])
  if (result.code !== 0) throw missing(number)
  return parseRecord(file, result.stdout)
}

// The number in force on its first line, then its record: one round trip. A fixed script; the paths are its arguments.
// The number is read by the shell itself: no process but the record's `cat`.
const CURRENT_SCRIPT = 'n=; [ -f "$1" ] || exit 0; read -r n < "$1"; printf "%s\\n" "$n"; cat -- "$2/$n.json" || exit 4'

export async function currentGeneration(host: RemoteHost, layout: Layout): Promise<GenerationRecord | undefined> {
  const result = await host.exec(['sh', '-c', CURRENT_SCRIPT, 'sh', layout.current, layout.generations])
  const newline = result.stdout.indexOf('\n')
  const n = Number(result.stdout.slice(0, newline).trim())
  if (newline < 0 || !Number.isInteger(n) || n <= 0) return undefined
  if (result.code !== 0) throw missing(n)
  return parseRecord(`${layout.generations}/${n}.json`, result.stdout.slice(newline + 1))
}

// The records' names, by the shell's own glob: no `ls` started.
// biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion, not a template string.
const LIST_NUMBERS_SCRIPT = 'for f in "$1"/*.json; do [ -f "$f" ] && printf "%s\\n" "${f##*/}"; done; :'

export async function listNumbers(host: RemoteHost, layout: Layout): Promise<number[]> {
  const result = await host.exec(['sh', '-c', LIST_NUMBERS_SCRIPT, 'sh', layout.generations])
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

// Records the generation, each file written whole then renamed into place; then, given
// more arguments, stops earlier rollback timers, writes the rollback script and arms
// the new timer. A fixed script: paths, names and commands are its arguments, the record its stdin.
const COMMIT_SCRIPT = [
  'd="$1"; gens="$2"; n="$3"; owner="$4"; shift 4',
  'install -d -m 0700 "$1" "$2" "$3" "$gens" || exit 1; shift 3',
  'umask 077',
  'printf "%s\\n" "$owner" > "$d/owner.json.tmp" && mv -f -- "$d/owner.json.tmp" "$d/owner.json" || exit 1',
  'cat > "$gens/$n.json.tmp" && mv -f -- "$gens/$n.json.tmp" "$gens/$n.json" || exit 1',
  'printf "%s\\n" "$n" > "$d/current.tmp" && mv -f -- "$d/current.tmp" "$d/current" || exit 1',
  '[ $# -gt 0 ] || exit 0',
  'systemctl stop "$1"; script="$2"',
  'printf "%s" "$3" > "$script.tmp" && chmod 0700 "$script.tmp" && mv -f -- "$script.tmp" "$script" || exit 1',
  'shift 3; "$@" || exit 2',
].join('\n')

/**
 * Writes a new generation, makes it current and, with `arming`
 * (safety.ts's armArguments), arms the automatic rollback: one command.
 */
export async function commitGeneration(
  host: RemoteHost,
  layout: Layout,
  record: GenerationRecord,
  arming: string[] = [],
): Promise<void> {
  const head = ['sh', '-c', COMMIT_SCRIPT, 'sh', layout.dir, layout.generations, String(record.number)]
  const argv = [...head, JSON.stringify(layout.owner), ...recordDirs(layout), ...arming]
  const result = await host.exec(argv, { stdin: `${JSON.stringify(record, null, 2)}\n` })
  if (result.code === 2) throw cannotArm(result.stderr)
  if (result.code !== 0)
    throw new GuixOpsError(
      DebianError.Generation,
      `debian: cannot record generation ${record.number} on the host (exit ${result.code ?? 'by signal'}): ${result.stderr.trim()}`,
    )
}

export async function setCurrent(host: RemoteHost, layout: Layout, number: number): Promise<void> {
  await host.upload(layout.current, `${number}\n`, { mode: 0o600 })
}

export async function deleteGenerationFile(host: RemoteHost, layout: Layout, number: number): Promise<void> {
  await host.exec(['rm', '-f', '--', `${layout.generations}/${number}.json`])
}
