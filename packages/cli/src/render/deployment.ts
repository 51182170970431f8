/** Text renderings of deployments for `create`, `modify`, `info` and `list`. */
import type { DeploymentInfo, DeploymentListItem, DeploymentState } from '@guix-ops/core'
import { table } from './table.js'

export function describeLock(lock: { pid: number; host: string; command: string; startedAt: string }): string {
  return `locked by pid ${lock.pid} on ${lock.host} (${lock.command}) since ${lock.startedAt}`
}

export function renderList(items: DeploymentListItem[]): string {
  if (items.length === 0) return 'No deployments. Create one with: guix-ops create path/to/guix-ops.config.ts'
  return table(
    ['NAME', 'ID', 'MACHINES', 'LIVE', 'UPDATED', 'LOCK'],
    items.map((d) => [
      d.name,
      d.id,
      String(d.machines),
      String(d.live),
      d.updatedAt,
      d.locked ? `pid ${d.locked.pid}` : '',
    ]),
  )
}

export function renderSaved(verb: string, state: DeploymentState): string {
  const machines = Object.entries(state.machines)
  return [
    `${verb} deployment "${state.name}"`,
    `  id:       ${state.id}`,
    `  config:   ${state.configPath}`,
    `  machines: ${machines.map(([name, m]) => `${name} (${m.platform}/${m.system})`).join(', ') || 'none'}`,
  ].join('\n')
}

export function renderInfo(info: DeploymentInfo): string {
  const { state } = info
  const lines = [
    `deployment  ${state.name}`,
    `id          ${state.id}`,
    ...(state.description ? [`about       ${state.description}`] : []),
    `config      ${state.configPath}`,
    `created     ${state.createdAt}`,
    `updated     ${state.updatedAt}`,
    `lock        ${info.locked ? describeLock(info.locked) : 'none'}`,
  ]
  if (info.configError) lines.push(`config error ${info.configError.code}: ${info.configError.message}`)
  lines.push('')
  lines.push(
    table(
      ['MACHINE', 'PLATFORM', 'SYSTEM', 'NEEDS', 'STATE', 'ADDRESS', 'GENERATIONS'],
      info.machines.map((m) => [
        m.name + (m.inConfig ? '' : ' (not in config)'),
        m.platform,
        m.system,
        m.dependencies.join(',') || '-',
        m.recorded,
        m.address ?? '-',
        String(m.generations),
      ]),
    ),
  )
  const changed = info.machines.flatMap((m) => (m.options ?? []).map((o) => `  ${m.name}: ${o.message}`))
  if (changed.length > 0) lines.push('', 'options changed since the machines were made:', ...changed)
  if (info.levels.length > 0) {
    lines.push('')
    lines.push(`deploy order: ${info.levels.map((level) => level.join(' + ')).join('  ->  ')}`)
  }
  return lines.join('\n')
}
