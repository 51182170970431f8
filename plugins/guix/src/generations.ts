/**
 * Generations as `guix system list-generations` prints them:
 *
 *   Generation 1	Jun 10 2019 13:34:34
 *     file name: /var/guix/profiles/system-1-link
 *     canonical file name: /gnu/store/...-system
 *     label: GNU with Linux-libre 5.1.2
 *     ...
 *   Generation 2	Jun 11 2019 11:57:57	(current)
 *
 * The date is the generation link's mtime in the host's local time
 * (guix/ui.scm `display-generation`: `time-utc->date` without an offset),
 * with no zone shown; so the exact time is read from the link itself.
 */
import type { Generation, SystemContext } from '@guix-ops/plugin-api'
import { must } from './remote.js'

/** Numbers, the current mark, labels, store paths and link names; `createdAt` as printed, in local time. */
export function parseGenerations(output: string): Generation[] {
  const generations: Generation[] = []
  let current: Generation | undefined
  for (const line of output.split('\n')) {
    const head = /^Generation (\d+)\s+(.*?)\s*(\(current\))?\s*$/.exec(line)
    if (head) {
      current = { number: Number(head[1]), createdAt: head[2] ?? '', current: head[3] !== undefined, data: {} }
      generations.push(current)
      continue
    }
    const field = /^\s+(file name|canonical file name|label):\s*(.*)$/.exec(line)
    if (!field || !current) continue
    if (field[1] === 'label') current.description = field[2] ?? ''
    if (field[1] === 'canonical file name') current.data = { ...current.data, storePath: field[2] ?? '' }
    if (field[1] === 'file name') current.data = { ...current.data, link: field[2] ?? '' }
  }
  return generations.sort((a, b) => a.number - b.number)
}

/** The store path of a generation, as list-generations named it. */
export function storePathOf(generation: Generation): string {
  return String(generation.data?.storePath ?? '')
}

/** `createdAt` from each link's mtime (seconds since the epoch, one per line, as `stat -c %Y` prints them). */
export function withLinkTimes(generations: Generation[], mtimes: string): Generation[] {
  const seconds = mtimes.split('\n').filter(Boolean).map(Number)
  if (seconds.length !== generations.length || seconds.some(Number.isNaN)) return generations
  return generations.map((g, i) => ({ ...g, createdAt: new Date((seconds[i] ?? 0) * 1000).toISOString() }))
}

/** The host's system generations, with exact creation times. */
export async function listGenerations(ctx: SystemContext): Promise<Generation[]> {
  const generations = parseGenerations(
    await must(ctx, ['guix', 'system', 'list-generations'], 'listing system generations'),
  )
  const links = generations.map((g) => String(g.data?.link ?? ''))
  if (generations.length === 0 || links.some((l) => l === '')) return generations
  // stat without -L reads the link itself, as guix/profiles.scm `generation-time` does (lstat).
  const stat = await ctx.host.exec(['stat', '-c', '%Y', ...links])
  return stat.code === 0 ? withLinkTimes(generations, stat.stdout) : generations
}
