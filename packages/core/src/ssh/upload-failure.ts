/**
 * Why an upload failed, in words. SFTP servers answer most write errors
 * (a full disk, a rename onto a directory) with a bare "Failure", so the
 * host is asked what stands in the way. A fixed script: the path is its argument.
 */
import type { ExecResult } from '@guix-ops/plugin-api'

const PROBE = `f="$1"; need="$2"; d=$(dirname -- "$f")
if [ -d "$f" ]; then echo "a directory is in the way"; exit 0; fi
if [ ! -d "$d" ]; then echo "its directory does not exist"; exit 0; fi
set -- $(df -Pk -- "$d" | awk 'NR == 2 { print $4 }') $(df -Pi -- "$d" | awk 'NR == 2 { print $4 }')
if [ -n "$1" ] && [ $(($1 * 1024)) -lt "$need" ]; then echo "no space left on the device ($1 KiB free, $need bytes to write)"; exit 0; fi
if [ "$2" = 0 ]; then echo "no space left on the device (no free inodes)"; fi`

export async function uploadFailure(
  exec: (argv: readonly string[]) => Promise<ExecResult>,
  file: string,
  size: number,
  error: unknown,
): Promise<Error> {
  const said = error instanceof Error ? error.message : String(error)
  const probe = await exec(['sh', '-c', PROBE, 'sh', file, String(size)]).catch(() => undefined)
  const why = probe?.code === 0 ? probe.stdout.trim() : ''
  return new Error(why ? `${why} (the server said: ${said})` : said)
}
