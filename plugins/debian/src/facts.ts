/**
 * Reads from the host what a plan compares against. Every command is a
 * fixed script with the paths and names passed as its arguments, so no
 * config value is ever parsed by the remote shell.
 */
import { GuixOpsError, type RemoteHost } from '@guix-ops/plugin-api'
import { DebianError } from './codes.js'
import { knownFrom, parentOf } from './known.js'
import type { Desired, Facts, FileFact, Managed } from './model.js'

/**
 * One line per argument, in the order given, never echoing the path: a
 * path may hold any byte but NUL (tab, newline, backslash), and sha256sum
 * would escape such names. `kind mode owner group uid gid sha256`, or `-` when absent.
 * Two processes per file: the fallback when the bulk read below cannot
 * answer for every path.
 */
const STAT_EACH_SCRIPT = [
  'for f; do',
  '  if [ ! -e "$f" ]; then echo -; continue; fi',
  '  if [ -f "$f" ]; then k=f; elif [ -d "$f" ]; then k=d; else k=o; fi',
  '  a=$(stat -c "%a %U %G %u %g" -- "$f") || a="? ? ? ? ?"',
  '  h=-',
  '  if [ $k = f ]; then h=$(sha256sum < "$f") || h=?; fi',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion, not a template string.
  '  echo "$k $a ${h%% *}"',
  'done',
].join('\n')

/**
 * The same facts with two processes in all, whatever the number of paths
 * (each process costs milliseconds on a busy host): the kind of each
 * argument (`-` when absent), then `--` and one `stat` line per existing
 * path, then `--` and one `sha256sum` line per regular file, each in the
 * order given. The lines carry no path, so any byte in a name is safe; a
 * path that stat or sha256sum could not read leaves a section short.
 */
const STAT_BULK_SCRIPT = [
  'for f; do',
  '  shift',
  '  if [ ! -e "$f" ]; then echo -; continue; fi',
  '  if [ -f "$f" ]; then echo f; elif [ -d "$f" ]; then echo d; else echo o; fi',
  '  set -- "$@" "$f"',
  'done',
  'echo --',
  '[ $# -eq 0 ] || stat -c "%a %U %G %u %g" -- "$@"',
  'echo --',
  'for f; do shift; [ -f "$f" ] && set -- "$@" "$f"; done',
  '[ $# -eq 0 ] || sha256sum -- "$@"',
].join('\n')

const KINDS = { f: 'file', d: 'directory', o: 'other' } as const

function parseFact(line: string): FileFact {
  const fields = line.split(' ')
  const [kind, mode, owner, group, uid, gid, sha] = fields
  if (line === '-' || !kind) return { exists: false }
  // A name with a space in it (sssd's, winbind's) shifts every field after it: its ids are not read.
  const ids = fields.length === 7 && /^\d+$/.test(uid!) && /^\d+$/.test(gid!)
  return {
    exists: true,
    kind: KINDS[kind as keyof typeof KINDS] ?? 'other',
    mode: mode!,
    owner: owner!,
    group: group!,
    ...(ids ? { uid: uid!, gid: gid! } : {}),
    ...(sha && /^[0-9a-f]{64}$/.test(sha) ? { sha256: sha } : {}),
  }
}

/** The bulk answer as `STAT_EACH_SCRIPT` lines, or undefined when a section is short. */
function bulkLines(stdout: string): string[] | undefined {
  const sections = stdout.split(/^--\n/m)
  if (sections.length !== 3) return undefined
  const [kinds = [], stats = [], sums = []] = sections.map((section) => section.split('\n').slice(0, -1))
  const lines: string[] = []
  let s = 0
  let h = 0
  for (const kind of kinds) {
    if (kind === '-') lines.push('-')
    else {
      const stat = stats[s++]
      // sha256sum starts a line with a backslash when it escapes the name after the hash.
      const sum = kind === 'f' ? /^\\?([0-9a-f]{64}) /.exec(sums[h++] ?? '')?.[1] : '-'
      if (stat === undefined || sum === undefined) return undefined
      lines.push(`${kind} ${stat} ${sum}`)
    }
  }
  return s === stats.length && h === sums.length ? lines : undefined
}

async function stat(host: RemoteHost, paths: string[]): Promise<Record<string, FileFact>> {
  const facts: Record<string, FileFact> = {}
  if (paths.length === 0) return facts
  // A sha256sum that does not escape names (busybox's) would print a newline in one as a line of its own.
  const bulk = paths.some((p) => p.includes('\n'))
    ? undefined
    : await host.exec(['sh', '-c', STAT_BULK_SCRIPT, 'sh', ...paths])
  let lines = bulk?.code === 0 ? bulkLines(bulk.stdout) : undefined
  let result = bulk
  if (!result || lines?.length !== paths.length) {
    result = await host.exec(['sh', '-c', STAT_EACH_SCRIPT, 'sh', ...paths])
    lines = result.stdout.split('\n').slice(0, -1)
  }
  if (result.code !== 0 || lines.length !== paths.length)
    throw new GuixOpsError(
      DebianError.Facts,
      `debian: cannot read the state of ${paths.length} path(s) on the host (exit ${result.code}): ${result.stderr.trim()}`,
    )
  paths.forEach((file, i) => {
    facts[file] = parseFact(lines[i]!)
  })
  return facts
}

/**
 * The host name (the kernel's, which hostname(1) prints too, read without a
 * process where /proc is mounted), and whether systemd is PID 1: the test
 * sd_booted(3) makes.
 */
const SYSTEM_SCRIPT = [
  'if read -r h < /proc/sys/kernel/hostname; then echo "$h"; else hostname; fi 2>/dev/null',
  'if [ -d /run/systemd/system ]; then echo systemd; else echo none; fi',
].join('\n')

async function names(host: RemoteHost, database: 'passwd' | 'group', wanted: string[]): Promise<string[]> {
  if (wanted.length === 0) return []
  const result = await host.exec(['getent', database, ...wanted])
  return result.stdout
    .split('\n')
    .map((line) => line.split(':')[0] ?? '')
    .filter(Boolean)
}

async function installedPackages(host: RemoteHost, packages: string[]): Promise<string[]> {
  if (packages.length === 0) return []
  // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own format syntax, not a template string.
  const format = '-f=${Package}\\t${db:Status-Abbrev}\\n'
  const result = await host.exec(['dpkg-query', '-W', format, '--', ...packages])
  return result.stdout
    .split('\n')
    .filter((line) => line.split('\t')[1]?.startsWith('ii'))
    .map((line) => line.split('\t')[0]!)
}

async function enabled(host: RemoteHost, units: string[]): Promise<Record<string, string>> {
  const services: Record<string, string> = {}
  if (units.length === 0) return services
  const result = await host.exec(['systemctl', 'is-enabled', '--', ...units])
  const answers = result.stdout.split('\n')
  units.forEach((unit, i) => {
    services[unit] = answers[i]?.trim() || 'unknown'
  })
  return services
}

/**
 * Every read is asked at once: a host that gathers commands (batch.ts)
 * answers them all in one round trip.
 */
export async function readFacts(host: RemoteHost, desired: Desired, managed: Managed): Promise<Facts> {
  const all = <T>(a: Iterable<T>, b: Iterable<T>) => [...new Set([...a, ...b])]
  const filePaths = all(Object.keys(desired.files), Object.keys(managed.files))
  const directoryPaths = all(Object.keys(desired.directories), managed.directories)
  // Where the wanted files go, read in the same stat: a change that writes there needs no mkdir (known.ts).
  const parents = Object.keys(desired.files).map(parentOf)
  const [installed, services, system, paths, users, groups] = await Promise.all([
    installedPackages(host, all(desired.packages, managed.packages)),
    enabled(host, all(Object.keys(desired.services), managed.services)),
    host.exec(['sh', '-c', SYSTEM_SCRIPT]),
    stat(host, all(all(filePaths, directoryPaths), parents)),
    names(host, 'passwd', all(Object.keys(desired.users), managed.users)),
    names(host, 'group', all(desired.groups, managed.groups)),
  ])
  const [hostname, init] = system.stdout.split('\n').map((l) => l.trim())
  const pick = (wanted: string[]) => Object.fromEntries(wanted.map((p) => [p, paths[p]!]))
  return {
    installed,
    files: pick(filePaths),
    directories: pick(directoryPaths),
    users,
    groups,
    services,
    ...(hostname ? { hostname } : {}),
    systemd: init === 'systemd',
    known: knownFrom(paths),
  }
}
