/** The closing summary of a deploy, and a dry run's plan, like `terraform plan`. */
import type { DeploySummary } from '@guix-ops/core'
import { table } from './table.js'

const SIGN = { create: '+', update: '~', delete: '-' } as const

export function renderPlan(summary: DeploySummary): string {
  const lines: string[] = []
  for (const outcome of summary.outcomes) {
    if (outcome.status === 'failed' || outcome.status === 'skipped') continue
    const changes = outcome.changes ?? []
    lines.push(`${outcome.machine}: ${changes.length === 0 ? 'no changes' : `${changes.length} change(s)`}`)
    for (const change of changes)
      lines.push(`  ${SIGN[change.action]} ${change.subject}${change.detail ? `  (${change.detail})` : ''}`)
  }
  return lines.join('\n')
}

function detail(o: DeploySummary['outcomes'][number]): string {
  if (o.status === 'changed') return `generation ${o.generation?.number ?? '?'}, ${o.changes?.length ?? 0} change(s)`
  if (o.status === 'planned') return `${o.changes?.length ?? 0} change(s) planned`
  return o.reason ?? ''
}

export function renderSummary(summary: DeploySummary): string {
  const rows = summary.outcomes.map((o) => [o.machine, o.status, detail(o)])
  const counts = [
    `${summary.changed.length} changed`,
    `${summary.unchanged.length} unchanged`,
    `${summary.failed.length} failed`,
    `${summary.skipped.length} skipped`,
  ].join(', ')
  return `${table(['MACHINE', 'RESULT', 'DETAIL'], rows)}\n\n${summary.dryRun ? 'dry run: nothing was changed' : counts}`
}
