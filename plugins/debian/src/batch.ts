/**
 * Commands asked for together go to the host together: every `exec` made
 * while the caller has not yet waited on the network (the reads of a plan,
 * started at once) runs in one remote shell, in the order asked, and each
 * gets its own exit code, stdout and stderr back. Each command is still an
 * argument array: the fixed script below splits its arguments, the remote
 * shell never parses a config value.
 */
import type { ExecOptions, ExecResult, RemoteHost } from '@guix-ops/plugin-api'

// Arguments: for each command, its length then its words. Each answer is
// three lines: the exit code, then stdout and stderr in base64 (any bytes, NULs too).
// An empty output is an empty line, with no base64 process: each process is a few
// milliseconds on a busy host, and most of a plan's reads print nothing on stderr.
const BATCH_SCRIPT = `t=$(mktemp -d) || exit 1
trap 'rm -rf "$t"' EXIT
while [ $# -gt 0 ]; do
  n=$1; shift
  (c=0; for a; do shift; [ $c -lt $n ] && set -- "$@" "$a"; c=$((c + 1)); done; exec "$@") >"$t/o" 2>"$t/e" </dev/null
  echo $?
  [ -s "$t/o" ] && base64 -w0 <"$t/o"; echo
  [ -s "$t/e" ] && base64 -w0 <"$t/e"; echo
  shift $n
done`

interface Queued {
  argv: readonly string[]
  resolve: (result: ExecResult) => void
  reject: (error: unknown) => void
}

/** The answers of a batch, in order; fewer than asked when the shell was cut short. */
function parseAnswers(stdout: string): ExecResult[] {
  const lines = stdout.split('\n')
  const answers: ExecResult[] = []
  for (let i = 0; i + 2 < lines.length; i += 3) {
    const decode = (text: string) => Buffer.from(text, 'base64').toString('utf8')
    answers.push({ code: Number(lines[i]), stdout: decode(lines[i + 1]!), stderr: decode(lines[i + 2]!) })
  }
  return answers
}

async function runBatch(host: RemoteHost, queued: Queued[]): Promise<void> {
  if (queued.length === 1) {
    const [only] = queued
    return host.exec(only!.argv).then(only!.resolve, only!.reject)
  }
  const args = queued.flatMap((q) => [String(q.argv.length), ...q.argv])
  try {
    const result = await host.exec(['sh', '-c', BATCH_SCRIPT, 'sh', ...args])
    const answers = parseAnswers(result.stdout)
    // No answer at all (no room for a temp dir, no base64): each command goes on its own.
    if (answers.length === 0 && result.code !== 0) {
      for (const q of queued) await host.exec(q.argv).then(q.resolve, q.reject)
      return
    }
    queued.forEach((q, i) => {
      const answer = answers[i]
      if (answer) q.resolve(answer)
      else q.reject(new Error(`${q.argv[0]} did not run (exit ${result.code}): ${result.stderr.trim()}`))
    })
  } catch (error) {
    for (const q of queued) q.reject(error)
  }
}

/** `host` with its plain commands gathered into one round trip per burst; uploads and the rest go as they are. */
export function coalesce(host: RemoteHost): RemoteHost {
  let queue: Queued[] = []
  const flush = () => {
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
  }
}
