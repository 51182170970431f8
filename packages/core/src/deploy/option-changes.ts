/**
 * Options of an existing machine that the config changed since the machine
 * was made, as its platform tells them (`optionChanges`), each with the
 * sentence that `deploy`, `check` and `info` show for it.
 */
import type { JsonObject, JsonValue, OptionChange, PlannedChange, PlatformDefinition } from '@guix-ops/plugin-api'

export interface MachineOptionChange extends OptionChange {
  /** What the user reads: the machine, the option, its old and new value, and what applies it. */
  message: string
}

const shown = (value: JsonValue): string => JSON.stringify(value)

function describe(deployment: string, platform: string, machine: string, c: OptionChange): string {
  const was = `${platform} machine "${machine}" was made with ${c.option} ${shown(c.from)}; the config now says ${shown(c.to)}`
  if (c.applies === 'deploy') return `${was}: deploy changes it${c.detail ? ` (${c.detail})` : ''}`
  const code = c.code ? ` [${c.code}]` : ''
  return `${was}, which cannot change on an existing machine, so it was left as it is: \`guix-ops destroy -d ${deployment} ${machine}\` then \`guix-ops deploy -d ${deployment}\` re-creates it with the new value (what is on its disks is lost)${code}`
}

/** The changes, none when the machine was never made or its platform cannot tell. */
export function optionChanges(
  platform: PlatformDefinition,
  at: { deployment: string; machine: string },
  options: unknown,
  existing: JsonObject | undefined,
): MachineOptionChange[] {
  if (!existing || !platform.optionChanges) return []
  const changes = platform.optionChanges({ name: at.machine, options, existing })
  return changes.map((c) => ({ ...c, message: describe(at.deployment, platform.name, at.machine, c) }))
}

/** The changes a deploy applies, as `deploy --dry-run` and the deploy's summary list them. */
export function plannedOptionChanges(platform: string, changes: MachineOptionChange[]): PlannedChange[] {
  return changes
    .filter((c) => c.applies === 'deploy')
    .map((c) => ({
      action: 'update',
      subject: `${platform} ${c.option}`,
      detail: `${shown(c.from)} -> ${shown(c.to)}${c.detail ? `: ${c.detail}` : ''}`,
    }))
}
