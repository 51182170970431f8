/**
 * Deploy progress for people: on a terminal, one live line per machine,
 * redrawn in place; otherwise (a log, a pipe) one plain line per step.
 * With --json, the command sends events as NDJSON instead of using this.
 */
import type { DeployEvent } from '@guix-ops/core'

/** What a person sees of an event, if anything: steps, progress, warnings and errors. */
function describe(event: DeployEvent): string | undefined {
  switch (event.type) {
    case 'step':
      return `${event.step}: ${event.message}`
    case 'progress':
      return `${event.message}${count(event.done, event.total)}`
    case 'log':
      return event.level === 'warn' || event.level === 'error' ? `${event.level}: ${event.message}` : undefined
  }
}

function count(done: number | undefined, total: number | undefined): string {
  if (total) return ` (${done}/${total})`
  return done !== undefined ? ` (${done})` : ''
}

export class ProgressView {
  private readonly lines = new Map<string, string>()
  private drawn = 0

  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly live: boolean = out.isTTY === true,
  ) {}

  event(event: DeployEvent): void {
    const text = describe(event)
    if (text === undefined) return
    if (!this.live) {
      if (event.type !== 'progress' || this.lines.get(event.machine) !== text)
        this.out.write(`[${event.machine}] ${text}\n`)
      this.lines.set(event.machine, text)
      return
    }
    this.lines.set(event.machine, text)
    this.redraw()
  }

  private redraw(): void {
    const width = Math.max(20, (this.out.columns ?? 100) - 1)
    const names = [...this.lines.keys()]
    const pad = Math.max(...names.map((n) => n.length))
    let frame = this.drawn > 0 ? `\u001b[${this.drawn}F` : ''
    for (const name of names) {
      frame += `\u001b[2K${`${name.padEnd(pad)}  ${this.lines.get(name)}`.slice(0, width)}\n`
    }
    this.out.write(frame)
    this.drawn = names.length
  }
}
