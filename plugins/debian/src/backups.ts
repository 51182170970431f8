/**
 * What the host itself knows about the files guix-ops took over: for each,
 * in the machine's backup directory, the original (when the file existed)
 * or an `.absent` mark (when it did not), and a `.path` naming the file.
 * They are made before guix-ops first writes a file and never overwritten
 * until the file leaves management, so a deploy that failed, or a CLI
 * killed before it recorded a generation, cannot lose an original: the
 * next deploy finds the mark and keeps it.
 */
import { createHash } from 'node:crypto'
import { GuixOpsError, type RemoteHost } from '@guix-ops/plugin-api'
import { DebianError } from './codes.js'
import type { Layout } from './layout.js'

/** How a taken-over file was found: its original is kept, or it was not there. */
export type Taken = 'original' | 'absent'

export function backupPath(layout: Layout, file: string): string {
  return `${layout.backup}/${createHash('sha256').update(file).digest('hex')}`
}

// Lists the marks with their paths, then which of the given hashes (files of
// records older than the `.path` marks) have an original or an absent mark.
// A mark's path is read by the shell itself, byte for byte (newlines, a
// missing final newline), not by a `cat` per mark: each process costs
// milliseconds on a busy host.
const READ_SCRIPT = [
  'cd "$1" 2>/dev/null || exit 0; shift',
  'for f in *.path; do',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion, not a template string.
  '  [ -f "$f" ] || continue; h="${f%.path}"',
  '  if [ -e "$h" ] || [ -L "$h" ]; then k=original; elif [ -e "$h.absent" ]; then k=absent; else continue; fi',
  // After the first line, nl is a newline (the string spans two lines of the script).
  '  c=; nl=; l=',
  '  while IFS= read -r l; do c="$c$nl$l"; nl="',
  '"; l=; done < "$f"',
  '  printf "%s\\0%s\\0" "$k" "$c$nl$l"',
  'done',
  'for h; do',
  '  if [ -e "$h" ] || [ -L "$h" ]; then printf "#original\\0%s\\0" "$h"',
  '  elif [ -e "$h.absent" ]; then printf "#absent\\0%s\\0" "$h"; fi',
  'done',
].join('\n')

/** Path -> how it was taken over, for every file the host has a mark of (and `paths` it may lack a name for). */
export async function readTaken(host: RemoteHost, layout: Layout, paths: string[]): Promise<Record<string, Taken>> {
  const byHash = new Map(paths.map((p) => [backupPath(layout, p).slice(layout.backup.length + 1), p]))
  const result = await host.exec(['sh', '-c', READ_SCRIPT, 'sh', layout.backup, ...byHash.keys()])
  const parts = result.stdout.split('\0')
  const taken: Record<string, Taken> = {}
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const kind = parts[i]!
    const value = parts[i + 1]!
    if (kind === 'original' || kind === 'absent') taken[value] = kind
    const file = byHash.get(value)
    if ((kind === '#original' || kind === '#absent') && file !== undefined && !(file in taken))
      taken[file] = kind === '#original' ? 'original' : 'absent'
  }
  return taken
}

/**
 * For each (file, backup) pair of its arguments: keeps the file's original,
 * or marks it absent, unless a mark exists already: an original is never
 * overwritten. One script for every file taken over at once; the backup
 * directory is made once. A failure names the file on stderr.
 */
export const TAKE_SCRIPT: string = [
  // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion, not a template string.
  'install -d -m 0700 "${2%/*}" || exit 1',
  'while [ $# -gt 1 ]; do',
  '  f="$1"; b="$2"; shift 2',
  '  { [ -e "$b" ] || [ -L "$b" ] || [ -e "$b.absent" ]; } && continue',
  '  { printf "%s" "$f" > "$b.path.tmp" && mv -f -- "$b.path.tmp" "$b.path"; } || { printf "%s\\n" "$f" >&2; exit 1; }',
  '  if [ -e "$f" ] || [ -L "$f" ]; then',
  '    { cp -a -- "$f" "$b.tmp" && mv -f -- "$b.tmp" "$b"; } || { printf "%s\\n" "$f" >&2; exit 1; }',
  '  else : > "$b.absent" || exit 1; fi',
  'done',
].join('\n')

/** Keeps the originals of `files` (see TAKE_SCRIPT), in one command. */
export async function takeOriginals(host: RemoteHost, layout: Layout, files: string[]): Promise<void> {
  if (files.length === 0) return
  const result = await host.exec(['sh', '-c', TAKE_SCRIPT, 'sh', ...files.flatMap((f) => [f, backupPath(layout, f)])])
  if (result.code !== 0)
    throw new GuixOpsError(
      DebianError.Apply,
      `debian: keeping the original of ${files.length === 1 ? files[0] : 'a file taken over'} failed (exit ${result.code ?? 'by signal'}): ${result.stderr.trim().split('\n').slice(-4).join(' | ')}`,
    )
}

/**
 * The file leaves management: its original goes back in place, or the file
 * goes; then the marks go. An original that should be there and is not
 * leaves the file as it is (nothing is deleted that cannot be restored).
 */
export const RELEASE_SCRIPT: string = [
  'f="$1"; b="$2"; restore="$3"',
  'if [ -e "$b" ] || [ -L "$b" ]; then mv -f -- "$b" "$f" || exit 1',
  'elif [ "$restore" = yes ]; then echo "no original kept for $f: left as it is" >&2',
  'else rm -f -- "$f" || exit 1; fi',
  'rm -f -- "$b.absent" "$b.path"',
].join('\n')
