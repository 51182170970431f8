/**
 * Commands asked for together go to the host together: every `exec` made
 * while the caller has not yet waited on the network (the reads of a plan,
 * started at once) runs in one remote shell, in the order asked, and each
 * gets its own exit code, stdout and stderr back. Each command is still an
 * argument array: the fixed script below splits its arguments, the remote
 * shell never parses a config value.
 */
import { randomBytes } from 'node:crypto'
import type { ExecOptions, ExecResult, RemoteHost } from '@guix-ops/plugin-api'

// Arguments: a boundary, then for each command its length and its words. Each
// command writes straight to the channel; after it, stdout gets a newline, the
// boundary and its exit code, and stderr a newline and the boundary. No temp
// file, no encoder: on a busy host every process costs milliseconds, and
// here each command is the only process started. A fixed script of the
// driver's own (`sh -c SCRIPT sh ARGS...`) runs in a subshell of this one,
// as `sh -c` would run it but without starting sh again: its arguments are
// still only arguments, and none of this shell's variables is left set.
// The boundary is random per batch, so no command's output can end its
// answer early by chance. Both streams start with the boundary: what comes
// before it (a warning of sudo's, a login script's greeting) is nobody's answer.
const BATCH_SCRIPT = `b=$1; shift
printf '%s\\n' "$b"; printf '%s\\n' "$b" >&2
while [ $# -gt 0 ]; do
  n=$1; shift
  (c=0; for a; do shift; [ $c -lt $n ] && set -- "$@" "$a"; c=$((c + 1)); done
   if [ $# -ge 3 ] && [ "$1" = sh ] && [ "$2" = -c ]; then
     guix_ops_script=$3; shift 3; [ $# -gt 0 ] && shift; unset a b c n; eval "$guix_ops_script"
   else exec "$@"; fi) </dev/null
  s=$?
  printf '\\n%s %s\\n' "$b" "$s"
  printf '\\n%s\\n' "$b" >&2
  shift $n
done`

interface Queued {
  argv: readonly string[]
  resolve: (result: ExecResult) => void
  reject: (error: unknown) => void
}

interface Answers {
  /** In order; fewer than asked when the shell was cut short. */
  answers: ExecResult[]
  /** What stderr got after the last complete answer: why the shell stopped, when it did. */
  rest: string
}

/** `text` after the boundary's first line; undefined when the shell never got that far. */
function afterStart(text: string, boundary: string): string | undefined {
  const start = text.indexOf(`${boundary}\n`)
  return start < 0 ? undefined : text.slice(start + boundary.length + 1)
}

function parseAnswers(boundary: string, stdout: string, stderr: string): Answers {
  const outs = (afterStart(stdout, boundary) ?? '').split(`\n${boundary} `)
  // A shell that never started: all of stderr says why.
  const errs = (afterStart(stderr, boundary) ?? stderr).split(`\n${boundary}\n`)
  const answers: ExecResult[] = []
  let output = outs[0]!
  for (let i = 1; i < outs.length; i++) {
    const end = outs[i]!.indexOf('\n')
    if (end < 0) break // the exit code's line was cut short
    answers.push({ code: Number(outs[i]!.slice(0, end)), stdout: output, stderr: errs[i - 1] ?? '' })
    output = outs[i]!.slice(end + 1)
  }
  return { answers, rest: errs.slice(answers.length).join('\n') }
}

async function runBatch(host: RemoteHost, queued: Queued[]): Promise<void> {
  if (queued.length === 1) {
    const [only] = queued
    return host.exec(only!.argv).then(only!.resolve, only!.reject)
  }
  const boundary = `guix-ops-batch-${randomBytes(12).toString('hex')}`
  const args = queued.flatMap((q) => [String(q.argv.length), ...q.argv])
  try {
    const result = await host.exec(['sh', '-c', BATCH_SCRIPT, 'sh', boundary, ...args])
    const { answers, rest } = parseAnswers(boundary, result.stdout, result.stderr)
    // No answer at all (no POSIX shell to gather them): each command goes on its own.
    if (answers.length === 0 && result.code !== 0) {
      for (const q of queued) await host.exec(q.argv).then(q.resolve, q.reject)
      return
    }
    queued.forEach((q, i) => {
      const answer = answers[i]
      if (answer) q.resolve(answer)
      else q.reject(new Error(`${q.argv[0]} did not run (exit ${result.code ?? 'by signal'}): ${rest.trim()}`))
    })
  } catch (error) {
    for (const q of queued) q.reject(error)
  }
}

/** A host whose commands go out together; `hold()` keeps them back until its release, for more to join. */
export interface Coalesced extends RemoteHost {
  /** Keeps queued commands back; the function returned lets them go (once) with what joined meanwhile. */
  hold(): () => void
}

/** `host` with its plain commands gathered into one round trip per burst; uploads and the rest go as they are. */
export function coalesce(host: RemoteHost): Coalesced {
  let queue: Queued[] = []
  let holds = 0
  const flush = () => {
    if (holds > 0 || queue.length === 0) return
    const batch = queue
    queue = []
    void runBatch(host, batch)
  }
  return {
    exec(argv: readonly string[], options?: ExecOptions): Promise<ExecResult> {
      if (options && Object.keys(options).length > 0) return host.exec(argv, options)
      return new Promise((resolve, reject) => {
        if (queue.length === 0) setImmediate(flush)
        queue.push({ argv, resolve, reject })
      })
    },
    upload: (file, content, options) => host.upload(file, content, options),
    download: (file) => host.download(file),
    hold() {
      holds += 1
      let released = false
      return () => {
        if (released) return
        released = true
        holds -= 1
        setImmediate(flush)
      }
    },
  }
}

const sessions = new WeakMap<RemoteHost, Coalesced>()

/**
 * One coalescer per connection, for reads that the deploy asks at once from
 * different calls of the driver (the generation in force, the plan's reads):
 * while the plan holds it, the one asked first waits to go with the plan's.
 */
export function sessionBatch(host: RemoteHost): Coalesced {
  let batch = sessions.get(host)
  if (!batch) {
    batch = coalesce(host)
    sessions.set(host, batch)
  }
  return batch
}
