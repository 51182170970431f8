// Commands gathered into one remote shell, run by this machine's own sh: each keeps its
// arguments (any bytes), its exit code, stdout (NULs too) and stderr, in the order asked.
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { RemoteHost } from '@guix-ops/plugin-api'
import { describe, expect, it } from 'vitest'
import { coalesce } from './batch.js'

function counting(): { host: RemoteHost; calls: string[][] } {
  const calls: string[][] = []
  const host: RemoteHost = {
    exec: async (argv) => {
      calls.push([...argv])
      const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' })
      return { stdout: r.stdout, stderr: r.stderr, code: r.status }
    },
    upload: async () => undefined,
    download: async () => new Uint8Array(),
  }
  return { host, calls }
}

describe('coalesce', () => {
  it('runs commands asked together in one shell, each with its own answer', async () => {
    const { host, calls } = counting()
    const batched = coalesce(host)
    const odd = 'a b\tc\nd\'e"f\\g $HOME `x`'
    const answers = await Promise.all([
      batched.exec(['printf', '%s', odd]),
      batched.exec(['sh', '-c', 'printf "x\\0y"; echo oops >&2; exit 3']),
      batched.exec(['true']),
      batched.exec(['no-such-command-here']),
      batched.exec(['printf', '%s|', 'one', '', 'three']),
    ])
    expect(calls).toHaveLength(1)
    expect(answers[0]).toEqual({ code: 0, stdout: odd, stderr: '' })
    expect(answers[1]).toEqual({ code: 3, stdout: 'x\0y', stderr: 'oops\n' })
    expect(answers[2]).toEqual({ code: 0, stdout: '', stderr: '' })
    expect(answers[3]?.code).toBe(127)
    expect(answers[4]?.stdout).toBe('one||three|')
  })

  it('keeps outputs exact: no final newline, blank lines, text that looks like the framing', async () => {
    const { host, calls } = counting()
    const batched = coalesce(host)
    const tricky = '\nguix-ops-batch- 0\n\n\nguix-ops-batch-\n'
    const answers = await Promise.all([
      batched.exec(['printf', '%s', 'no newline']),
      batched.exec(['printf', '%s', tricky]),
      batched.exec(['sh', '-c', 'printf "%s" "$1" >&2; printf "\\n\\n"', 'sh', tricky]),
      batched.exec(['printf', '']),
    ])
    expect(calls).toHaveLength(1)
    expect(answers).toEqual([
      { code: 0, stdout: 'no newline', stderr: '' },
      { code: 0, stdout: tricky, stderr: '' },
      { code: 0, stdout: '\n\n', stderr: tricky },
      { code: 0, stdout: '', stderr: '' },
    ])
  })

  it('starts no helper program: a host whose PATH holds only sh and the commands asked still answers in one go', async () => {
    const bare = mkdtempSync(path.join(tmpdir(), 'guix-ops-bare-path-'))
    try {
      for (const program of ['sh', 'cat'])
        symlinkSync(
          execFileSync('sh', ['-c', `command -v ${program}`], { encoding: 'utf8' }).trim(),
          path.join(bare, program),
        )
      const calls: string[][] = []
      const host: RemoteHost = {
        exec: async (argv) => {
          calls.push([...argv])
          const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', env: { PATH: bare } })
          return { stdout: r.stdout, stderr: r.stderr, code: r.status }
        },
        upload: async () => undefined,
        download: async () => new Uint8Array(),
      }
      const batched = coalesce(host)
      const answers = await Promise.all([
        batched.exec(['cat', '/dev/null']),
        batched.exec(['sh', '-c', 'echo out; echo err >&2; exit 5']),
      ])
      expect(calls).toHaveLength(1)
      expect(answers).toEqual([
        { code: 0, stdout: '', stderr: '' },
        { code: 5, stdout: 'out\n', stderr: 'err\n' },
      ])
    } finally {
      rmSync(bare, { recursive: true, force: true })
    }
  })

  it('runs a `sh -c` script as sh would: its own arguments, none of the batch variables, its own exit', async () => {
    const { host } = counting()
    const batched = coalesce(host)
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion, not a template string.
    const script = 'printf "%s|" "${a-unset}" "${b-unset}" "${c-unset}" "${n-unset}" "$#" "$1"; exit 7'
    const answers = await Promise.all([
      batched.exec(['sh', '-c', script, 'sh', 'x y']),
      batched.exec(['sh', '-c', 'v=set; echo "$v"']),
      // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion, not a template string.
      batched.exec(['sh', '-c', 'echo "${v-unset}" "$@"', 'sh', '-c', '*']),
      // Without a name for $0, as `sh -c SCRIPT` alone.
      batched.exec(['sh', '-c', 'echo "$#"']),
    ])
    expect(answers[0]).toEqual({ code: 7, stdout: 'unset|unset|unset|unset|1|x y|', stderr: '' })
    expect(answers[1]).toEqual({ code: 0, stdout: 'set\n', stderr: '' })
    expect(answers[2]).toEqual({ code: 0, stdout: 'unset -c *\n', stderr: '' })
    expect(answers[3]).toEqual({ code: 0, stdout: '0\n', stderr: '' })
  })

  it('holds commands back while held, and sends them with those that joined as one batch when let go', async () => {
    const { host, calls } = counting()
    const batched = coalesce(host)
    const first = batched.exec(['echo', 'first'])
    const release = batched.hold()
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(calls).toEqual([])
    const second = batched.exec(['echo', 'second'])
    release()
    release()
    expect((await first).stdout).toBe('first\n')
    expect((await second).stdout).toBe('second\n')
    expect(calls).toHaveLength(1)
  })

  it('a shell cut short answers the commands before, and the ones after say why, not what the others printed', async () => {
    const { host } = counting()
    const batched = coalesce(host)
    const answers = await Promise.allSettled([
      batched.exec(['sh', '-c', 'echo first complains >&2; exit 1']),
      // Started as a program of its own (not the subshell a plain `sh -c` gets), its parent is the batch's shell.
      batched.exec(['/bin/sh', '-c', 'echo the shell goes >&2; kill -9 $PPID']),
      batched.exec(['true']),
    ])
    expect(answers[0]).toEqual({ status: 'fulfilled', value: { code: 1, stdout: '', stderr: 'first complains\n' } })
    for (const cut of answers.slice(1)) {
      expect(cut.status).toBe('rejected')
      const message = String((cut as PromiseRejectedResult).reason)
      expect(message).toMatch(/did not run \(exit by signal\): the shell goes$/)
    }
  })

  it('what the login prints before the shell starts (a greeting, a warning of sudo) is no command answer', async () => {
    const { host, calls } = counting()
    const greeting: RemoteHost = {
      ...host,
      exec: (argv, options) =>
        host.exec(
          ['sh', '-c', 'echo welcome; printf "sudo: unable to resolve host" >&2; exec "$@"', 'sh', ...argv],
          options,
        ),
    }
    const batched = coalesce(greeting)
    const answers = await Promise.all([batched.exec(['echo', 'a']), batched.exec(['sh', '-c', 'echo b >&2'])])
    expect(calls).toHaveLength(1)
    expect(answers).toEqual([
      { code: 0, stdout: 'a\n', stderr: '' },
      { code: 0, stdout: '', stderr: 'b\n' },
    ])
  })

  it('one command alone goes as it is; commands asked one after another go one by one', async () => {
    const { host, calls } = counting()
    const batched = coalesce(host)
    expect((await batched.exec(['echo', 'a'])).stdout).toBe('a\n')
    expect((await batched.exec(['echo', 'b'])).stdout).toBe('b\n')
    expect(calls).toEqual([
      ['echo', 'a'],
      ['echo', 'b'],
    ])
  })

  it('a host where the gathering shell cannot run answers each command on its own', async () => {
    const { host, calls } = counting()
    const broken: RemoteHost = {
      ...host,
      exec: (argv, options) =>
        argv[0] === 'sh' && argv.length > 4
          ? Promise.resolve({ code: 127, stdout: '', stderr: 'sh: not found\n' })
          : host.exec(argv, options),
    }
    const batched = coalesce(broken)
    const answers = await Promise.all([batched.exec(['echo', 'a']), batched.exec(['echo', 'b'])])
    expect(answers.map((a) => a.stdout)).toEqual(['a\n', 'b\n'])
    expect(calls).toEqual([
      ['echo', 'a'],
      ['echo', 'b'],
    ])
  })
})
