/**
 * A host may be shared: by two deployments, or two machines of one. Each
 * keeps its records in its own directory (layout.ts); this reads the
 * others', moves the single record set of earlier versions into the first
 * owner that comes along, and refuses to manage a host someone else
 * already does unless the operator said to take it over.
 */
import { GuixOpsError, type RemoteHost } from '@guix-ops/plugin-api'
import { DebianError } from './codes.js'
import { describeOwner, type Layout, type Owner, ROOT } from './layout.js'
import type { GenerationRecord } from './model.js'

/** Earlier versions kept one record set directly in ROOT; these are its entries. */
const LEGACY_ENTRIES = ['current', 'generations', 'backup', 'pending', 'rollback.sh']

/** Marks a move that is complete in its new place while the originals may still be there. */
const MOVED_MARK = '.legacy-moved'

// A fixed script; the directories and the owner's JSON are its arguments. It may be
// killed at any step and run again: the records are copied into a staging directory,
// made durable, renamed into place whole (with a mark), and only then are the
// originals removed; a mark found later means "finish removing the originals".
const MIGRATE_SCRIPT = [
  'root="$1"; dir="$2"; owner="$3"; shift 3',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion, not a template string.
  'stage="${dir%/*}/.${dir##*/}.moving"',
  `for moved in "$root"/*/*/${MOVED_MARK}; do`,
  '  [ -f "$moved" ] || continue',
  '  (cd -- "$root" && rm -rf -- "$@") || exit 1',
  '  sync -- "$root" && rm -f -- "$moved" || exit 1',
  'done',
  '[ -e "$dir" ] && exit 0',
  'rm -rf -- "$stage" || exit 1',
  '[ -e "$root/current" ] || [ -d "$root/generations" ] || exit 0',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion, not a template string.
  'install -d -m 0700 "$root" "${dir%/*}" "$stage" || exit 1',
  'for n; do if [ -e "$root/$n" ]; then cp -a -- "$root/$n" "$stage/$n" || exit 1; fi; done',
  'printf "%s\\n" "$owner" > "$stage/owner.json" && chmod 0600 "$stage/owner.json" || exit 1',
  `: > "$stage/${MOVED_MARK}" && find "$stage" -exec sync -- {} + || exit 1`,
  // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion, not a template string.
  'mv -T -- "$stage" "$dir" && sync -- "${dir%/*}" || exit 1',
  '(cd -- "$root" && rm -rf -- "$@") || exit 1',
  `sync -- "$root" && rm -f -- "$dir/${MOVED_MARK}" || exit 1`,
  'echo migrated',
].join('\n')

/**
 * Moves the records of an earlier version into this machine's directory on
 * first contact, so the host keeps its generations and backups. Returns
 * whether it did.
 */
export async function adoptLegacyRecords(host: RemoteHost, layout: Layout, root: string = ROOT): Promise<boolean> {
  const dir = `${root}${layout.dir.slice(ROOT.length)}`
  const argv = ['sh', '-c', MIGRATE_SCRIPT, 'sh', root, dir, JSON.stringify(layout.owner), ...LEGACY_ENTRIES]
  const result = await host.exec(argv)
  if (result.code !== 0)
    throw new GuixOpsError(
      DebianError.Layout,
      `debian: cannot move the host's records into ${layout.dir}: ${result.stderr.trim()}`,
    )
  return result.stdout.includes('migrated')
}

// The machine's own `current`, or before its directory exists (the records not yet moved) the earlier
// layout's; when that is gone too, a move beside this read finished after the test: read the new place.
// A number on one line, read by the shell itself: no process started. `test`, not `[`: a function
// can stand in for it (owners.test.ts moves the records at that point, as a move beside this would).
const IN_FORCE_SCRIPT = [
  'n=; if test -e "$1"; then read -r n < "$2"',
  'elif test -f "$3" && { read -r n || test -n "$n"; } < "$3"; then :',
  'else read -r n < "$2"; fi 2>/dev/null',
  'printf "%s\\n" "$n"',
].join('\n')

/**
 * The number of the generation in force, moving nothing: from this machine's
 * directory, or, while an earlier version's records still wait to be moved
 * there, from where they are (what the move would bring). A read only, so it
 * may run beside a plan, whose own reads move them.
 */
export async function inForceNumber(
  host: RemoteHost,
  layout: Layout,
  root: string = ROOT,
): Promise<number | undefined> {
  const dir = `${root}${layout.dir.slice(ROOT.length)}`
  const result = await host.exec(['sh', '-c', IN_FORCE_SCRIPT, 'sh', dir, `${dir}/current`, `${root}/current`])
  const n = Number(result.stdout.trim())
  return result.code === 0 && Number.isInteger(n) && n > 0 ? n : undefined
}

export interface OtherOwner {
  owner: Owner
  /** Its generation in force, when it could be read. */
  record?: GenerationRecord
}

const LIST_SCRIPT = [
  'me="$1"; root="$2"',
  'for d in "$root"/*/*/; do',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion, not a template string.
  '  d="${d%/}"',
  '  [ "$d" = "$me" ] && continue',
  '  [ -f "$d/owner.json" ] && [ -f "$d/current" ] || continue',
  '  n=; read -r n < "$d/current"',
  '  cat "$d/owner.json"; printf "\\0"',
  '  cat "$d/generations/$n.json" 2>/dev/null; printf "\\0"',
  'done',
].join('\n')

/** Everyone else with a generation in force on this host, with that generation. */
export async function otherOwners(host: RemoteHost, layout: Layout): Promise<OtherOwner[]> {
  const result = await host.exec(['sh', '-c', LIST_SCRIPT, 'sh', layout.dir, ROOT])
  const parts = result.stdout.split('\0')
  const owners: OtherOwner[] = []
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const owner = parseJson<Owner>(parts[i]!)
    if (!owner?.deployment?.id || typeof owner.machine !== 'string') continue
    const record = parseJson<GenerationRecord>(parts[i + 1]!)
    owners.push({ owner, ...(record?.managed ? { record } : {}) })
  }
  return owners
}

function parseJson<T>(text: string): T | undefined {
  try {
    return JSON.parse(text) as T
  } catch {
    return undefined
  }
}

/**
 * A machine with no records of its own on a host that others manage is
 * most likely pointed at the wrong host; managing it as well is a choice
 * the operator makes with `deploy --take-over`.
 */
export function refuseSharedHost(layout: Layout, others: OtherOwner[], hasRecords: boolean, takeOver: boolean): void {
  if (others.length === 0 || hasRecords || takeOver) return
  const names = others.map((o) => `${describeOwner(o.owner)} (deployment id ${o.owner.deployment.id})`)
  throw new GuixOpsError(
    DebianError.HostManaged,
    `debian: this host is already managed by ${names.join(', ')}; to manage it from ${describeOwner(layout.owner)} as well, deploy with --take-over`,
    {
      suggestion: 'check first that the address is the host you mean; each owner keeps its own records and files there',
    },
  )
}
