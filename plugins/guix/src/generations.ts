/**
 * Generations as `guix system list-generations` prints them:
 *
 *   Generation 1	Jun 10 2019 13:34:34
 *     file name: /var/guix/profiles/system-1-link
 *     canonical file name: /gnu/store/...-system
 *     label: GNU with Linux-libre 5.1.2
 *     ...
 *   Generation 2	Jun 11 2019 11:57:57	(current)
 */
import type { Generation } from '@guix-ops/plugin-api'

export function parseGenerations(output: string): Generation[] {
  const generations: Generation[] = []
  let current: Generation | undefined
  for (const line of output.split('\n')) {
    const head = /^Generation (\d+)\s+(.*?)\s*(\(current\))?\s*$/.exec(line)
    if (head) {
      const date = new Date(`${head[2]} UTC`)
      current = {
        number: Number(head[1]),
        createdAt: Number.isNaN(date.getTime()) ? (head[2] ?? '') : date.toISOString(),
        current: head[3] !== undefined,
        data: {},
      }
      generations.push(current)
      continue
    }
    const field = /^\s+(canonical file name|label|configuration file|kernel|bootloader):\s*(.*)$/.exec(line)
    if (!field || !current) continue
    if (field[1] === 'label') current.description = field[2] ?? ''
    if (field[1] === 'canonical file name') current.data = { ...current.data, storePath: field[2] ?? '' }
  }
  return generations.sort((a, b) => a.number - b.number)
}
