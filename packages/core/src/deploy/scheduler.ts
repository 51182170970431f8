/**
 * Runs one task per machine in dependency order: a machine starts as soon
 * as every machine it depends on has succeeded, at most `limit` at a time.
 * A failed machine's dependents are skipped, saying which dependency
 * failed; with `abort`, a failure stops everything not yet started.
 */

export type TaskResult = { ok: true } | { ok: false; reason: string }

export interface ScheduleOutcome {
  succeeded: string[]
  failed: string[]
  /** Machine -> why it never ran. */
  skipped: Map<string, string>
}

export async function schedule(
  machines: readonly string[],
  dependencies: Readonly<Record<string, readonly string[]>>,
  limit: number,
  abortOnFailure: boolean,
  task: (machine: string) => Promise<TaskResult>,
): Promise<ScheduleOutcome> {
  const selected = new Set(machines)
  const succeeded = new Set<string>()
  const failed = new Set<string>()
  const skipped = new Map<string, string>()
  const running = new Set<string>()
  let aborted = false

  // Dependencies outside the selection are taken as already deployed.
  const waitsFor = (m: string) => (dependencies[m] ?? []).filter((d) => selected.has(d))
  const pending = () =>
    machines.filter((m) => !succeeded.has(m) && !failed.has(m) && !skipped.has(m) && !running.has(m))

  return new Promise((resolve) => {
    const pump = () => {
      for (const m of pending()) {
        const blocked = waitsFor(m).find((d) => failed.has(d) || skipped.has(d))
        if (blocked)
          skipped.set(m, failed.has(blocked) ? `dependency "${blocked}" failed` : `dependency "${blocked}" was skipped`)
        else if (aborted) skipped.set(m, 'the deploy was aborted after a failure')
      }
      for (const m of pending()) {
        if (running.size >= limit) break
        if (!waitsFor(m).every((d) => succeeded.has(d))) continue
        running.add(m)
        task(m)
          .catch((error: unknown): TaskResult => ({ ok: false, reason: String((error as Error)?.message ?? error) }))
          .then((result) => {
            running.delete(m)
            if (result.ok) succeeded.add(m)
            else {
              failed.add(m)
              if (abortOnFailure) aborted = true
            }
            pump()
          })
      }
      if (running.size === 0 && pending().length === 0) {
        resolve({ succeeded: [...succeeded], failed: [...failed], skipped })
      }
    }
    pump()
  })
}
